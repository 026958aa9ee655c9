// The "classifier" family through the training path, small: mnist-classifier trains two epochs on a fake MNIST
// (written here), draws its pictures (confusion.png, predictions.png), and a run stopped after one epoch and
// resumed ends bit-identical to the straight run. Then the evaluation end to end: a vae-mnist-2d run trained on
// the same fake data is measured with that classifier as its feature network (evaluate.h), and the errors of a
// missing feature network and of a classifier asked to sample.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "dgm.h"
#include "models/datasets.h"
#include "models/eval/evaluate.h"
#include "models/eval/feature_cache.h"
#include "models/registry.h"
#include "models/train/run.h"
#include "nn/io/safetensors.h"
#include "tests/models/train/training_models.h"

using namespace dgm;
using namespace dgm::models;
namespace fs = std::filesystem;

namespace {

// An IDX file of unsigned bytes.
void write_idx(const std::string& path, const std::vector<uint32_t>& dims, const std::vector<uint8_t>& values) {
  std::vector<uint8_t> b{0, 0, 0x08, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(d >> s));
  b.insert(b.end(), values.begin(), values.end());
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<long>(b.size()));
}

// A fake MNIST of n images, label i % 10: a bright bar at row 2 + 2 * label on a faint texture.
void write_fake_mnist(const std::string& dir, const std::string& split, uint32_t n) {
  std::vector<uint8_t> pixels, labels;
  for (uint32_t i = 0; i < n; ++i) {
    const int label = static_cast<int>(i % 10);
    labels.push_back(static_cast<uint8_t>(label));
    for (int y = 0; y < 28; ++y)
      for (int x = 0; x < 28; ++x)
        pixels.push_back(y / 2 == 1 + label ? static_cast<uint8_t>(200 + i % 50)
                                            : static_cast<uint8_t>((x * 7 + y + static_cast<int>(i)) % 40));
  }
  write_idx(dir + "/" + split + "-images-idx3-ubyte", {n, 28, 28}, pixels);
  write_idx(dir + "/" + split + "-labels-idx1-ubyte", {n}, labels);
}

train::RunConfig small_run(const std::string& model, const std::string& out, const std::string& data_dir) {
  train::RunConfig c = test::quiet_run_config(model, out);
  c.data_dir = data_dir;
  c.limit = 60;
  c.test_limit = 30;
  c.batch_size = 16;
  c.samples = 4;
  return c;
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

struct OneThread {
  int saved = get_num_threads();
  OneThread() { set_num_threads(1); }
  ~OneThread() { set_num_threads(saved); }
};

}  // namespace

TEST_CASE("mnist-classifier trains, draws its pictures, resumes bit-identically and serves dgm eval --fid",
          "[eval][train]") {
  OneThread one;  // bit-identical sums need one summation order
  const std::string data_dir = test::fresh_temp_dir("classifier_runs", "data");
  fs::create_directories(data_dir + "/mnist");
  write_fake_mnist(data_dir + "/mnist", "train", 60);
  write_fake_mnist(data_dir + "/mnist", "t10k", 30);
  REQUIRE(registry().specs_of("classifier").size() == 2);

  const std::string straight = test::fresh_temp_dir("classifier_runs", "straight");
  const std::string resumed = test::fresh_temp_dir("classifier_runs", "resumed");
  train::RunConfig a = small_run("mnist-classifier", straight, data_dir);
  a.epochs = 2;
  train::RunResult r = train::train_run(a);
  REQUIRE(r.test.count("loss") == 1);
  REQUIRE(r.test.count("accuracy") == 1);
  CHECK(std::isfinite(r.test.at("loss")));
  CHECK(r.test.at("accuracy") >= 0.0);
  CHECK(r.test.at("accuracy") <= 1.0);
  for (const char* p : {"confusion.png", "predictions.png", "losses.png"}) {
    INFO("picture " << p);
    CHECK(fs::exists(straight + "/" + p));
  }
  train::RunConfig b = small_run("mnist-classifier", resumed, data_dir);
  b.epochs = 1;
  train::train_run(b);
  b.epochs = 2;
  b.resume = true;
  train::train_run(b);
  nn::StateDict x = nn::io::load_safetensors(straight + "/checkpoint.safetensors"),
                y = nn::io::load_safetensors(resumed + "/checkpoint.safetensors");
  REQUIRE(x.size() == y.size());
  for (const auto& [key, t] : x) {
    INFO("checkpoint entry " << key);
    REQUIRE(y.count(key));
    CHECK(t.to_vector<double>() == y.at(key).to_vector<double>());
  }

  // a classifier does not sample; the message says what it is for
  train::RestoredRun restored = train::restore_run(straight, Device(kCPU));
  CHECK_THROWS_WITH(restored.model->generate(2), Catch::Contains("a classifier does not sample"));

  // a missing feature network names the command that trains it
  CHECK_THROWS_WITH(eval::load_feature_network("mnist", data_dir + "/nothing", Device(kCPU)),
                    Catch::Contains("dgm train mnist-classifier"));
  CHECK_THROWS_WITH(eval::load_feature_network("cifar10", "", Device(kCPU)), Catch::Contains("mnist and fashion"));

  // the evaluation of a small generative run with this classifier as its features
  const std::string vae = test::fresh_temp_dir("classifier_runs", "vae");
  train::RunConfig v = small_run("vae-mnist-2d", vae, data_dir);
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
  fs::remove_all(resumed);
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
