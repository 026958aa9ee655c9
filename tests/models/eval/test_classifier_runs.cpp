// The "classifier" family through the training path, small: mnist-classifier trains two epochs on a fake MNIST
// (written here), draws its pictures (confusion.png, predictions.png), and a run stopped after one epoch and
// resumed ends bit-identical to the straight run. Then the evaluation end to end: a vae-mnist-2d run trained on
// the same fake data is measured with that classifier as its feature network (evaluate.h), and the errors of a
// missing feature network and of a classifier asked to sample.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "dgm.h"
#include "models/datasets.h"
#include "models/eval/evaluate.h"
#include "models/eval/feature_cache.h"
#include "models/registry.h"
#include "models/train/run.h"
#include "tests/models/train/run_checks.h"
#include "tests/models/train/training_models.h"

using namespace dgm;
using namespace dgm::models;
namespace fs = std::filesystem;

namespace {

// A fake MNIST of n images whose label i % 10 can be learnt: a bright bar at row 2 + 2 * label on a faint texture.
void write_fake_bars(const std::string& dir, const std::string& split, uint32_t n) {
  std::vector<uint8_t> pixels, labels;
  for (uint32_t i = 0; i < n; ++i) {
    const int label = static_cast<int>(i % 10);
    labels.push_back(static_cast<uint8_t>(label));
    for (int y = 0; y < 28; ++y)
      for (int x = 0; x < 28; ++x)
        pixels.push_back(y / 2 == 1 + label ? static_cast<uint8_t>(200 + i % 50)
                                            : static_cast<uint8_t>((x * 7 + y + static_cast<int>(i)) % 40));
  }
  test::write_idx(dir + "/" + split + "-images-idx3-ubyte", {n, 28, 28}, pixels);
  test::write_idx(dir + "/" + split + "-labels-idx1-ubyte", {n}, labels);
}

// A conditional "model" whose sample of class c is the first test image of class c: the per-class accuracy of
// its samples is then the classifier's own correctness on those ten images.
class ExemplarModel : public GenerativeModel {
 public:
  explicit ExemplarModel(std::vector<Tensor> exemplars) : exemplars_(std::move(exemplars)) {}
  Losses loss(const Batch&) override { return {}; }
  Tensor sample(int64_t n, const SampleOptions& options) override {
    const std::vector<int64_t> labels = options.labels.to_vector<int64_t>();
    REQUIRE(static_cast<int64_t>(labels.size()) == n);
    std::vector<Tensor> out;
    for (int64_t c : labels) out.push_back(exemplars_[static_cast<size_t>(c)].unsqueeze(0));
    return cat(out, 0);
  }
  int64_t num_classes() const override { return 10; }

 private:
  std::vector<Tensor> exemplars_;
};

}  // namespace

TEST_CASE("mnist-classifier trains, draws its pictures, resumes bit-identically and serves dgm eval --fid",
          "[eval][train]") {
  test::OneThread one;  // bit-identical sums need one summation order
  const std::string data_dir = test::fresh_temp_dir("classifier_runs", "data");
  fs::create_directories(data_dir + "/mnist");
  write_fake_bars(data_dir + "/mnist", "train", 60);
  write_fake_bars(data_dir + "/mnist", "t10k", 30);
  REQUIRE(registry().specs_of("classifier").size() == 2);

  const test::SmallRun small{.data_dir = data_dir, .limit = 60, .test_limit = 30};
  const test::TrainedRun run = test::train_and_resume("classifier_runs", "mnist-classifier", small,
                                                      {"confusion.png", "predictions.png", "losses.png"});
  test::require_test_keys(run, {"loss", "accuracy"});
  CHECK(run.result.test.at("accuracy") >= 0.0);
  CHECK(run.result.test.at("accuracy") <= 1.0);
  const std::string& straight = run.dir;

  // a classifier does not sample; the message says what it is for
  train::RestoredRun restored = train::restore_run(straight, Device(kCPU));
  CHECK_THROWS_WITH(restored.model->generate(2), Catch::Contains("a classifier does not sample"));

  // a missing feature network names the command that trains it
  CHECK_THROWS_WITH(eval::load_feature_network("mnist", data_dir + "/nothing", Device(kCPU)),
                    Catch::Contains("dgm train mnist-classifier"));
  CHECK_THROWS_WITH(eval::load_feature_network("cifar10", "", Device(kCPU)), Catch::Contains("mnist and fashion"));

  // the evaluation of a small generative run with this classifier as its features
  const std::string vae = test::fresh_temp_dir("classifier_runs", "vae");
  train::RunConfig v = test::small_run("vae-mnist-2d", vae, small);
  v.epochs = 1;
  train::train_run(v);
  train::RestoredRun model = train::restore_run(vae, Device(kCPU));
  eval::FeatureNetwork net = eval::load_feature_network("mnist", straight, Device(kCPU));
  CHECK(net.name == "dgm MNIST features");
  DataSplits data = load_data(find_model("mnist-classifier"), "mnist", data_dir);
  eval::EvalOptions o;
  o.n = 25;
  o.chunk = 7;
  eval::EvalReport report = eval::evaluate_images(*model.model, net, data.test, data.train.x, o);
  REQUIRE(report.rows.size() == 4);
  for (const eval::SetMetrics& m : report.rows) {
    INFO(m.name);
    CHECK(std::isfinite(m.fid));
    CHECK(m.fid >= -1e-9);
    CHECK(m.is.mean >= 1.0 - 1e-9);
    CHECK(m.is.mean <= 10.0 + 1e-9);
    CHECK(m.pr.precision >= 0.0);
    CHECK(m.pr.recall <= 1.0);
  }
  CHECK(report.rows[0].n == 25);
  CHECK(report.rows[1].n == 25);         // n training images
  CHECK(report.rows[2].n == 30);         // the whole test split, blurred
  CHECK(report.sampled_accuracy == -1);  // vae-mnist-2d is unconditional
  // 32x32 samples are resized to 28x28 before the classifier; other sizes are refused
  auto [f32, l32] = eval::features_and_logits(*net.classifier, zeros({3, 1, 32, 32}), 2);
  CHECK(f32.shape() == Shape{3, 128});
  CHECK_THROWS_WITH(eval::features_and_logits(*net.classifier, zeros({3, 3, 28, 28}), 2),
                    Catch::Contains("(N,1,28,28)"));

  // per-class accuracy of a conditional model: labels cycle 0..9, each class scored on its own samples
  std::vector<Tensor> exemplars(10);
  const std::vector<int64_t> test_labels = data.test.y.to_vector<int64_t>();
  for (size_t i = 0; i < test_labels.size(); ++i)
    if (!exemplars[static_cast<size_t>(test_labels[i])].defined())
      exemplars[static_cast<size_t>(test_labels[i])] = data.test.x.select(0, static_cast<int64_t>(i));
  ExemplarModel exemplar(exemplars);
  o.n = 30;
  eval::EvalReport cond = eval::evaluate_images(exemplar, net, data.test, data.train.x, o);
  REQUIRE(cond.class_accuracy.size() == 10);
  double mean = 0;
  for (int64_t c = 0; c < 10; ++c) {
    NoGradGuard no_grad;
    const bool right = net.classifier->logits(exemplars[static_cast<size_t>(c)].unsqueeze(0)).argmax(1).item() == c;
    CHECK(cond.class_accuracy[static_cast<size_t>(c)] == (right ? 1.0 : 0.0));
    mean += (right ? 1.0 : 0.0) / 10;
  }
  CHECK(cond.sampled_accuracy == Approx(mean));
  fs::remove_all(straight);
  fs::remove_all(vae);
  fs::remove_all(data_dir);
}

TEST_CASE("gaussian_blur keeps the mean of an image away from the border and spreads a point as a Gaussian", "[eval]") {
  // a point at the centre: the blurred image is the normalized kernel, sum 1, symmetric, peak exp(0)/Z
  Tensor x = zeros({1, 1, 15, 15});
  x.select(2, 7).select(2, 7).fill_(1.0);
  Tensor b = eval::gaussian_blur(x, 1.0);
  CHECK(b.sum().item() == Approx(1.0).epsilon(1e-6));
  // ratio of neighbours: exp(-1/2) between distance 0 and distance 1 (sigma 1)
  const double centre = b.select(2, 7).select(2, 7).item(), side = b.select(2, 7).select(2, 8).item();
  CHECK(side / centre == Approx(std::exp(-0.5)).epsilon(1e-5));
}
