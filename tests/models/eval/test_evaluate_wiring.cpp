// evaluate_images puts the metrics' pieces in the right roles: the model's samples against the test split (not the
// training images), precision with the test set's radii and recall with the samples' (not swapped), the
// Inception-style score of the samples' logits. The pieces themselves are tested against closed forms and SciPy in
// test_fid.cpp, test_inception_score.cpp and test_precision_recall.cpp; the classifier here is untrained (any
// fixed feature map will do).
#include <catch2/catch.hpp>
#include <cmath>

#include "dgm.h"
#include "models/eval/evaluate.h"
#include "models/eval/fid.h"
#include "tests/helpers.h"

using namespace dgm;
using namespace dgm::models;

namespace {

// A "model" whose generate() hands out fixed images in order (a chunked caller gets consecutive rows).
class FixedImages : public GenerativeModel {
 public:
  explicit FixedImages(Tensor images) : images_(std::move(images)) {}
  std::string name() const override { return "FixedImages"; }
  Losses loss(const Batch&) override { return {}; }
  Tensor sample(int64_t n, const SampleOptions& options = {}) override { return generate(n, options); }
  Tensor generate(int64_t n, const SampleOptions& = {}) override {
    Tensor out = images_.narrow(0, next_, n).clone();
    next_ += n;
    return out;
  }

 private:
  Tensor images_;
  int64_t next_ = 0;
};

Tensor cycling_labels(int64_t n) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = i % 10;
  return tensor(v);
}

eval::FeatureNetwork untrained_features() {
  manual_seed(4);
  eval::FeatureNetwork net;
  net.classifier = std::make_shared<eval::Classifier>(8, 8, 16);
  net.classifier->eval();
  net.model = "mnist-classifier";
  net.dataset = "mnist";
  net.name = "dgm MNIST features";
  net.logits_name = "dgm MNIST classifier";
  return net;
}

}  // namespace

TEST_CASE("evaluate_images: samples equal to the test split score FID 0, precision and recall 1", "[eval]") {
  const int64_t n = 60;
  Tensor test_x = test::uniform_values({n, 1, 28, 28}, 0, 1, 31).to(kFloat32);
  Tensor train_x = test::uniform_values({n, 1, 28, 28}, 0, 1, 32).to(kFloat32);
  Batch test(test_x, cycling_labels(n));
  eval::FeatureNetwork net = untrained_features();
  eval::EvalOptions o;
  o.n = n;
  o.chunk = 25;  // generate and classify in uneven chunks
  FixedImages copy(test_x);
  eval::EvalReport r = eval::evaluate_images(copy, net, test, train_x, o);
  REQUIRE(!r.rows.empty());
  const eval::SetMetrics& model = r.rows.front();
  CHECK(model.n == n);
  CHECK(std::abs(model.fid) < 1e-6);  // the same features: equal means and covariances
  CHECK(model.pr.precision == 1.0);
  CHECK(model.pr.recall == 1.0);
  CHECK(model.is.mean == Approx(r.test_is.mean).epsilon(1e-9));
  // the floor compares other images (the training ones): not zero (2.3e-4 here: random images, untrained features)
  REQUIRE(r.rows.size() >= 2);
  CHECK(r.rows[1].fid > 1e-5);
}

TEST_CASE("evaluate_images: a model repeating half the test split has precision 1, its own recall", "[eval]") {
  // Samples = test images 0..29, each twice. Every sample is a test image (distance 0 to it), so precision (samples
  // inside the test set's k-NN balls) is exactly 1; recall (test images inside the samples' balls) is what
  // precision_recall gives with the roles as documented, and differs from the swapped roles' value.
  const int64_t n = 60;
  Tensor test_x = test::uniform_values({n, 1, 28, 28}, 0, 1, 41).to(kFloat32);
  Tensor half = test_x.narrow(0, 0, n / 2);
  Tensor repeated = cat({half, half}, 0);
  Batch test(test_x, cycling_labels(n));
  eval::FeatureNetwork net = untrained_features();
  eval::EvalOptions o;
  o.n = n;
  o.chunk = 25;
  FixedImages model(repeated);
  eval::EvalReport r = eval::evaluate_images(model, net, test, test_x, o);
  const eval::SetMetrics& m = r.rows.front();
  CHECK(m.pr.precision == 1.0);
  auto [real_f, real_l] = eval::features_and_logits(*net.classifier, test_x, 25);
  auto [fake_f, fake_l] = eval::features_and_logits(*net.classifier, repeated, 25);
  eval::PrecisionRecall roles = eval::precision_recall(real_f, fake_f, o.k);
  eval::PrecisionRecall swapped = eval::precision_recall(fake_f, real_f, o.k);
  CHECK(m.pr.recall == roles.recall);
  CHECK(roles.recall != swapped.recall);
  // FID of the samples against the test split, not against the training images
  CHECK(m.fid ==
        Approx(eval::frechet_distance(eval::gaussian_stats(real_f), eval::gaussian_stats(fake_f))).epsilon(1e-9));
  CHECK(m.is.mean == Approx(eval::inception_score(fake_l, o.splits).mean).epsilon(1e-9));
}
