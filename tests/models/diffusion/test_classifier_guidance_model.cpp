// The `dgm train` model of classifier guidance (models/diffusion/classifier_guided_ddpm.h) on a stand-in parent:
// the loss trains the classifier only, sampling at gamma 0 is the parent's own DDPM, gamma > 0 changes the
// samples, the pictures are written, and a parent that is not a DiffusionModel is refused by the spec.
#include <cmath>
#include <filesystem>

#include "../../helpers.h"
#include "models/diffusion/classifier_guided_ddpm.h"
#include "models/diffusion/samplers.h"
#include "models/eval/classifier.h"
#include "models/registry.h"
#include "nn/modules/linear.h"
#include "tensor/factories.h"

using namespace dgm;
namespace diffusion = dgm::models::diffusion;
namespace fs = std::filesystem;

namespace {

// eps_theta(x_t, t) = w x_t with one trainable scalar w (so the parent has a parameter to keep frozen), T = 10.
class ScaledIdentity : public diffusion::DiffusionModel {
 public:
  ScaledIdentity() : reverse(10) { w = register_parameter("w", full({1}, 0.5, kFloat32)); }
  Tensor predict_eps(const Tensor& x_t, const Tensor&, const Tensor& = {}) override { return x_t * w; }
  const diffusion::ReverseDiffusion& reverse_diffusion() const override { return reverse; }
  Shape example_shape() const override { return {1, 32, 32}; }
  Tensor to_output(const Tensor& x) const override { return (x / 2 + 0.5).clamp(0.0, 1.0); }
  models::Losses loss(const models::Batch&) override { return {}; }
  Tensor sample(int64_t, const models::SampleOptions&) override { return {}; }

  diffusion::ReverseDiffusion reverse;
  Tensor w;
};

}  // namespace

TEST_CASE("ClassifierGuidedDDPM: the loss trains the noisy classifier, not the parent", "[diffusion][guidance]") {
  manual_seed(2);
  auto parent = std::make_shared<ScaledIdentity>();
  diffusion::ClassifierGuidedDDPM model(parent, 8, 10);
  // the parent is no submodule: its parameter is neither trained nor saved with this model
  for (const auto& [name, p] : model.named_parameters()) CHECK(name.rfind("classifier.", 0) == 0);
  const Tensor x = test::uniform_values({4, 1, 32, 32}, -1, 1, 3).to(kFloat32);
  const Tensor y = tensor(std::vector<int64_t>{1, 7, 3, 0});
  models::Losses losses = model.loss(models::Batch(x, y));
  REQUIRE(losses.count("loss"));
  REQUIRE(losses.count("accuracy"));
  // an untrained classifier of 10 classes: the cross-entropy is near log 10 = 2.30 (its logits start small)
  CHECK(std::isfinite(losses["loss"].item()));
  CHECK(std::abs(losses["loss"].item() - std::log(10.0)) < 0.5);
  const double acc = losses["accuracy"].item();
  CHECK((acc >= 0 && acc <= 1));
  losses["loss"].backward();
  for (const auto& [name, p] : model.named_parameters()) {
    INFO(name);
    CHECK(p.grad().defined());
  }
  CHECK_FALSE(parent->w.grad().defined());
  CHECK_THROWS_WITH(model.loss(models::Batch(x)), Catch::Contains("labelled batches"));
}

TEST_CASE("ClassifierGuidedDDPM: gamma 0 is the parent's DDPM, gamma 3 differs, DDIM steps, pictures",
          "[diffusion][guidance]") {
  manual_seed(3);
  auto parent = std::make_shared<ScaledIdentity>();
  diffusion::ClassifierGuidedDDPM model(parent, 8, 10, 5, 3.0);
  model.eval();
  const Tensor labels = tensor(std::vector<int64_t>{0, 1, 2});
  models::SampleOptions o;
  o.labels = labels;
  Generator g1(5), g2(5), g3(5);
  o.gen = &g1;
  const Tensor unguided = model.sample(3, o);
  REQUIRE(unguided.shape() == Shape{3, 1, 32, 32});
  CHECK(unguided.min().item() >= 0);
  CHECK(unguided.max().item() <= 1);
  // the parent's own sampler with the same draws
  const Tensor x_T = randn({3, 1, 32, 32}, kFloat32, &g2);
  const Tensor reference = parent->to_output(diffusion::ddpm_sample_loop(
      parent->reverse, [&](const Tensor& x, const Tensor& t) { return parent->predict_eps(x, t); }, x_T, &g2));
  CHECK((unguided - reference).abs().max().item() == 0);
  o.gen = &g3;
  o.guidance = 3;
  CHECK((model.sample(3, o) - unguided).abs().max().item() > 0);
  o.steps = 4;  // DDIM on 4 of the 10 timesteps
  CHECK(model.sample(3, o).shape() == Shape{3, 1, 32, 32});
  o.steps = 11;
  CHECK_THROWS_WITH(model.sample(3, o), Catch::Contains("steps must be in [0, T = 10]"));
  CHECK_THROWS_WITH(model.sample(2, o), Catch::Contains("needs labels (n = 2)"));

  const fs::path dir = fs::temp_directory_path() / "dgm_test_guided_pictures";
  fs::remove_all(dir);
  fs::create_directories(dir);
  Generator gen(1);
  model.save_pictures(dir.string(), models::Batch(), 10, &gen);
  CHECK(fs::exists(dir / "samples.png"));
  CHECK(fs::exists(dir / "guidance.png"));
  fs::remove_all(dir);
}

TEST_CASE("ddpm-mnist-classifier refuses a parent that is not a diffusion model", "[diffusion][guidance]") {
  const models::ModelSpec& spec = models::find_model("ddpm-mnist-classifier");
  CHECK(spec.from == "ddpm-mnist");
  CHECK(spec.conditional);
  models::MakeContext c;
  c.parent = std::make_shared<models::eval::Classifier>();
  CHECK_THROWS_WITH(spec.make(c), Catch::Contains("needs a trained diffusion model as its parent"));
  c.parent = std::make_shared<ScaledIdentity>();
  CHECK(spec.make(c)->num_classes() == 10);
}
