#include "models/flows/glow.h"
#include "models/flows/specs.h"
#include "models/train/presets.h"
#include "nn/data/transforms.h"

namespace dgm::models::flows {

namespace {

// Adam at lr with a linear warm-up over the first `warmup` steps (as Glow's code warms up).
TrainSettings glow_settings(int64_t epochs, int64_t batch, double lr, int64_t warmup, std::string expected) {
  TrainSettings t = train::settings(epochs, batch, lr);
  t.optimizers["model"].schedule.warmup = warmup;
  t.optimizers["model"].schedule.unit = "step";
  t.expected_time = std::move(expected);
  return t;
}

ModelSpec glow_spec(const std::string& name, MatrixParametrization conv, std::string quick_time,
                    std::string course_time) {
  ModelSpec s;
  s.name = name;
  s.family = "flows";
  s.course = "lecture 2";
  s.description = "Glow, multi-scale (L = 2 levels: (4,14,14) then (8,7,7), learned split prior), K = 4 steps " +
                  std::string("per level of ActNorm, ") + parametrization_name(conv) +
                  " invertible 1x1 conv, affine coupling (hidden 64)";
  s.loss_unit =
      "NLL of the dequantized image, nats per image (continuous density on [0,1)^784); "
      "bits_per_dim = nll / (784 ln 2) + 8";
  s.datasets = {"mnist", "fashion-mnist"};
  s.transform = "scale: x / 255; in the model: dequantize (255 x + u) / 256, u ~ U[0,1), then - 0.5";
  // quick: 32000 training images, one epoch (500 steps of 64).
  TrainSettings quick = glow_settings(1, 64, 1e-3, 50, std::move(quick_time));
  quick.limit = 32000;
  quick.test_limit = 2000;
  quick.samples = 64;
  // course: Glow's optimization settings for MNIST (batch 64, Adam lr 1e-3 with a linear warm-up), 20 epochs
  // of all 60000 images. The network is the same in both presets (one architecture per model name): L = 2
  // (28x28 allows two squeezes), K = 4, hidden 64, where Glow's code uses K = 32 and width 512 on 32x32.
  TrainSettings course = glow_settings(20, 64, 1e-3, 1000, std::move(course_time));
  s.presets = {{"quick", quick}, {"course", course}};
  s.make = [conv](const MakeContext&) {
    GlowConfig c;
    c.levels = 2;
    c.steps_per_level = 4;
    c.hidden_channels = 64;
    c.conv = conv;
    return std::make_shared<Glow>(c);
  };
  s.prepare = [](const Tensor& images) { return nn::data::scale_01(images); };
  return s;
}

}  // namespace

void register_glow_models(Registry& r) {
  r.add(glow_spec("glow-mnist", MatrixParametrization::kLU,
                  "299 s on 2 CPU cores of a shared machine at load 7-10 (145 s CPU time); test 3.42 bits/dim "
                  "(-2490 nats per image); samples are stroke fragments, not yet digits (measured)",
                  "about 90 min on 2 CPU cores (estimated from the quick run's 0.29 CPU-seconds per step); "
                  "not measured on a GPU"));
  r.add(glow_spec("glow-mnist-plain", MatrixParametrization::kPlain,
                  "209 s on 2 CPU cores of a shared machine at load 5-6 (143 s CPU time); test 3.49 bits/dim "
                  "(-2451 nats per image); samples are stroke fragments (measured)",
                  "about 90 min on 2 CPU cores (estimated, as glow-mnist); not measured on a GPU"));
}

}  // namespace dgm::models::flows
