// The flow matching models on 32x32 MNIST (homework 6): cfm-mnist, otcfm-mnist, reflow-mnist (--from cfm-mnist)
// and cfm-conical-mnist.
#include <cstring>

#include "autograd/grad_mode.h"
#include "models/flow_matching/flow_matching.h"
#include "models/flow_matching/specs.h"
#include "models/train/presets.h"
#include "nn/data/transforms.h"
#include "tensor/error.h"

namespace dgm::models::flow_matching {

namespace {

// The velocity UNet of a preset: the course leaves HIDDEN_CHANNELS, CHANNEL_MULTIPLIERS and NUM_BLOCKS to the
// student (its UNet test: hidden 128, [1, 2, 4]; default num_blocks 2, dropout 0.1); `course` is ours for a GPU
// (hidden 64, [1, 2, 2], 2 blocks), `quick` the narrowest GroupNorm(32) allows on 2 CPU cores (hidden 32,
// [1, 2, 2], 1 block, no attention at 32x32).
struct UNetSize {
  int64_t hidden;
  std::vector<int64_t> multipliers;
  int64_t num_blocks;
  double dropout;
  int64_t attn_from_level;
};

UNetSize unet_size(const std::string& preset) {
  if (preset == "quick") return {32, {1, 2, 2}, 1, 0.1, 1};
  return {64, {1, 2, 2}, 2, 0.1, 0};
}

// Euler steps of the pictures' samples.png and of `dgm sample` without --steps: 10 for quick on a CPU, the course's
// 100 for course.
int64_t default_steps(const std::string& preset) { return preset == "quick" ? 10 : 100; }

// The reflow pairs: the course's prepare_dataset(num_steps = 10).
constexpr int64_t kReflowSteps = 10;

// 28x28 MNIST resized to 32x32 (the course's hw6 data), then scaled to [0, 1]; the model works in [0, 1].
Tensor prepare_01(const Tensor& images) {
  const Tensor x = images.size(2) == 32 ? images : nn::data::resize_bilinear(images, 32, 32, true);
  return nn::data::scale_01(x);
}

// Adam (the course's) at lr, batch_size, epochs; pictures of 64 samples.
TrainSettings fm_settings(int64_t epochs, int64_t batch_size, double lr) {
  TrainSettings t = train::settings(epochs, batch_size, lr);
  t.optimizers.at("model").kind = "adam";
  t.loss_key = "total_loss";
  t.samples = 64;
  return t;
}

// quick: 1250 steps of 32 images on 40000 training images (about 8 minutes on 2 cores), a clipped gradient for the
// large learning rate, an EMA.
TrainSettings quick_settings(double lr, const std::string& measured) {
  TrainSettings q = fm_settings(1, 32, lr);
  q.optimizers.at("model").clip_grad_norm = 1.0;
  q.limit = 40000;
  q.test_limit = 512;
  q.ema_decay = 0.99;
  q.expected_time = measured;
  return q;
}

TrainSettings course_settings(int64_t epochs, double lr) {
  TrainSettings c = fm_settings(epochs, 128, lr);
  c.ema_decay = 0.9999;
  c.expected_time = "not measured (no GPU run yet)";
  return c;
}

std::shared_ptr<FlowMatching> make_fm(const std::string& preset, Coupling coupling, ProbabilityPath path,
                                      double sigma_min) {
  const UNetSize u = unet_size(preset);
  auto unet =
      std::make_shared<diffusion::UNet>(0, 0, u.hidden, u.multipliers, u.num_blocks, u.dropout, u.attn_from_level);
  auto fm = std::make_shared<FlowMatching>(unet, coupling, path, sigma_min);
  fm->default_steps = default_steps(preset);
  return fm;
}

ModelSpec base_spec(const std::string& name, const std::string& course, const std::string& description) {
  ModelSpec s;
  s.name = name;
  s.family = "flow_matching";
  s.course = course;
  s.description = description;
  s.loss_unit = "MSE of the predicted velocity, per pixel";
  s.datasets = {"mnist", "fashion-mnist"};
  s.transform = "resize_bilinear to 32x32, then x / 255 in [0, 1] (the model works in [0, 1])";
  s.prepare = prepare_01;
  return s;
}

void register_cfm(Registry& r) {
  ModelSpec s = base_spec("cfm-mnist", "homework 6 task 2, lecture 12",
                          "conditional flow matching on 32x32 MNIST: x_t = t x1 + (1 - t) x0, target x1 - x0, the "
                          "UNet with a continuous time embedding; samples by Euler on linspace(0, 1, steps)");
  s.presets = {{"quick", quick_settings(2e-3,
                                        "859 s CPU (14.5 min wall at 1 thread beside another run; about 8 min "
                                        "wall alone at 2 threads), 2026-12-05, measured, MNIST, 1250 steps of 32: "
                                        "test total_loss 0.0737; samples (EMA, 10 Euler steps): digits, many "
                                        "malformed; FID (dgm MNIST features, the 10-epoch classifier, n = 1000) "
                                        "1444 at 2 steps, 316 at 10 (floor: training images 22.4)")},
               {"course", course_settings(20, 2e-4)}};
  s.make = [](const MakeContext& c) -> std::shared_ptr<GenerativeModel> {
    return make_fm(c.preset, Coupling::independent, ProbabilityPath::linear, 0);
  };
  r.add(std::move(s));
}

void register_otcfm(Registry& r) {
  ModelSpec s = base_spec("otcfm-mnist", "homework 6 task 3', lecture 13",
                          "flow matching with mini-batch OT couplings: each batch's noise and images re-paired by "
                          "the exact OT plan (squared Euclidean costs), then the CFM loss");
  s.presets = {{"quick", quick_settings(2e-3,
                                        "829 s CPU (17.6 min wall at 1 thread beside another run), "
                                        "2026-12-05, measured, MNIST, 1250 steps of 32: test total_loss 0.0583 "
                                        "(the OT pairs' targets vary less than CFM's); samples (EMA, 10 Euler "
                                        "steps): digits, many malformed; FID (dgm MNIST features, the 10-epoch "
                                        "classifier, n = 1000) 1031 at 2 steps, 293 at 10 (floor 22.4)")},
               {"course", course_settings(20, 2e-4)}};
  s.make = [](const MakeContext& c) -> std::shared_ptr<GenerativeModel> {
    return make_fm(c.preset, Coupling::ot, ProbabilityPath::linear, 0);
  };
  r.add(std::move(s));
}

void register_conical(Registry& r) {
  ModelSpec s = base_spec("cfm-conical-mnist", "lecture 13 (conical Gaussian paths)",
                          "flow matching on the conical Gaussian path p_t(x | x1) = N(t x1, (1 - (1 - s) t)^2 I), "
                          "s = sigma_min = 0.01: x_t = t x1 + (1 - (1 - s) t) x0, target x1 - (1 - s) x0");
  s.presets = {{"quick", quick_settings(2e-3, "not measured yet")}, {"course", course_settings(20, 2e-4)}};
  s.make = [](const MakeContext& c) -> std::shared_ptr<GenerativeModel> {
    return make_fm(c.preset, Coupling::independent, ProbabilityPath::conical, 0.01);
  };
  r.add(std::move(s));
}

// A seed from the bits of a chunk's images (FNV-1a), so that the reflow pairs of a split are the same in every
// process (a resumed run trains on the pairs it started with) and differ between chunks.
uint64_t content_seed(const Tensor& x) {
  const Tensor c = x.to(Device(kCPU)).to(kFloat32).contiguous();
  const auto* bytes = reinterpret_cast<const unsigned char*>(c.data_ptr<float>());
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < static_cast<size_t>(c.numel()) * sizeof(float); ++i) {
    h ^= bytes[i];
    h *= 1099511628211ull;
  }
  return h;
}

void register_reflow(Registry& r) {
  ModelSpec s = base_spec("reflow-mnist", "homework 6 task 3, lecture 13 (rectified flow)",
                          "rectified flow: the cfm-mnist model (--from runs/cfm-mnist) fine-tuned on its own pairs "
                          "(x* = ODE(x0) with 10 Euler steps, x0), one pair per example of each split");
  s.from = "cfm-mnist";
  // quick: the pairs cost 10 UNet passes per example, so fewer of them (4096) than cfm-mnist trains on
  TrainSettings quick = quick_settings(
      5e-4,
      "7.8 min wall at 2 threads, 511 s CPU with the pairs (2026-12-05, measured, 4096 + 256 pairs of the quick "
      "cfm-mnist run, 2 epochs of 128 steps): test total_loss 0.0297; its 2-step samples far sharper than "
      "cfm-mnist's (steps.png); FID (dgm MNIST features, the 10-epoch classifier, n = 1000) 541 at 2 steps "
      "(cfm-mnist: 1444, otcfm-mnist: 1031), 352 at 10 (cfm-mnist: 316; floor 22.4)");
  quick.limit = 4096;
  quick.test_limit = 256;
  quick.epochs = 2;
  s.presets = {{"quick", quick}, {"course", course_settings(10, 1e-4)}};
  s.make = [](const MakeContext& c) -> std::shared_ptr<GenerativeModel> {
    auto parent = std::dynamic_pointer_cast<FlowMatching>(c.parent);
    DGM_CHECK(parent && parent->coupling == Coupling::independent && parent->path == ProbabilityPath::linear,
              "reflow-mnist: needs a trained cfm-mnist as its parent (--from runs/cfm-mnist)");
    auto fm = make_fm(c.preset, Coupling::independent, ProbabilityPath::linear, 0);
    DGM_CHECK(parent->model->hidden_channels == fm->model->hidden_channels &&
                  parent->model->channel_multipliers == fm->model->channel_multipliers &&
                  parent->model->num_blocks == fm->model->num_blocks,
              "reflow-mnist: the parent run's UNet has another size; train both stages with the same --preset");
    NoGradGuard no_grad;
    const nn::LoadStateDictResult result = fm->load_state_dict(parent->state_dict(), true);
    DGM_CHECK(result.unexpected_keys.empty() && result.missing_keys.empty(), "reflow-mnist: parent weights differ");
    return fm;
  };
  // prepare_dataset: per chunk of the split, x0 ~ N(0, I) and x* = the parent's 10-step ODE of x0
  s.stage_data = [](GenerativeModel& parent, const Batch& split) {
    auto& fm = dynamic_cast<FlowMatching&>(parent);
    Generator gen(content_seed(split.x));
    auto [x, noise] = fm.prepare_dataset(split.size(), kReflowSteps, split.size(), &gen);
    return Batch(x, Tensor(), noise);
  };
  r.add(std::move(s));
}

}  // namespace

void register_mnist_models(Registry& r) {
  register_cfm(r);
  register_otcfm(r);
  register_reflow(r);
  register_conical(r);
}

}  // namespace dgm::models::flow_matching
