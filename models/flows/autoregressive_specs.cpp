// MAF and IAF (the course's supplementary deck). The course gives no settings
// for them; the course presets follow Papamakarios et al. 2017 (MAF): 5
// autoregressive layers, MADE conditioners with ReLU, Adam 1e-4, batch 100
// on MNIST with one hidden layer of 1024 units per MADE. Differences from the
// paper: no batch norm between layers, the log scale is bounded by 5 tanh(./5),
// and the logit preprocessing uses RealNVP's alpha = 0.05 (the paper: 1e-6).
#include "models/flows/autoregressive_flow.h"
#include "models/flows/specs.h"
#include "models/train/presets.h"

namespace dgm::models::flows {

namespace {

TrainSettings preset(int64_t epochs, int64_t batch, double lr, int64_t limit, int64_t test_limit, int64_t samples,
                     std::string expected) {
  TrainSettings t = train::settings(epochs, batch, lr);
  t.limit = limit;
  t.test_limit = test_limit;
  t.samples = samples;
  t.expected_time = std::move(expected);
  return t;
}

std::function<std::shared_ptr<GenerativeModel>(const MakeContext&)> make(AutoregressiveFlowOptions o) {
  return [o](const MakeContext&) { return std::make_shared<AutoregressiveFlow>(o); };
}

ModelSpec moons_spec(const std::string& kind) {
  ModelSpec s;
  s.name = kind + "-moons";
  s.family = "flows";
  s.course = "supplementary deck (MAF/IAF), seminar 3's moons";
  s.loss_unit = "negative log-likelihood, nats per point";
  s.datasets = {"moons"};
  s.transform = "none: the points as generated";
  s.toy_size = 10000;  // seminar 3's flows size
  AutoregressiveFlowOptions o;
  o.kind = kind;
  o.dim = 2;
  o.layers = 5;
  o.hidden = {64, 64};
  s.description = (kind == "maf" ? std::string("MAF") : std::string("IAF")) +
                  ": 5 MADE layers (hidden 64, 64, ReLU) with order reversals, N(0, I) base, 2-D";
  s.make = make(o);
  return s;
}

}  // namespace

void register_autoregressive_models(Registry& r) {
  {
    ModelSpec s = moons_spec("maf");
    s.presets = {
        {"quick", preset(100, 128, 1e-3, 0, 0, 1000,
                         "148 s on 2 CPU cores, test NLL 1.076 nats per point (measured, shared machine, load 11; "
                         "30 epochs took 9 s at load 0.3)")},
        {"course", preset(300, 128, 1e-3, 0, 0, 1000, "not measured (3x the quick run)")}};
    r.add(std::move(s));
  }
  {
    ModelSpec s = moons_spec("iaf");
    s.presets = {
        {"quick", preset(100, 128, 1e-3, 0, 0, 1000,
                         "218 s on 2 CPU cores, test NLL 1.074 nats per point (measured, shared machine, load 6-11; "
                         "most of it the per-epoch density map, D passes per layer)")},
        {"course", preset(300, 128, 1e-3, 0, 0, 1000, "not measured (3x the quick run)")}};
    r.add(std::move(s));
  }
  {
    ModelSpec s;
    s.name = "maf-mnist";
    s.family = "flows";
    s.course = "supplementary deck (MAF), dequantization";
    s.description =
        "MAF on 784-D MNIST: 5 MADE layers (1 hidden layer of 1024 units), "
        "order reversals, logit(0.05 + 0.9 x) of dequantized x = (pixel + u) / 256";
    s.loss_unit =
        "negative log-likelihood of x = (pixel + u) / 256 in [0,1)^784, nats per image "
        "(bits_per_dim = loss / (784 ln 2) + 8)";
    s.datasets = {"mnist", "fashion-mnist"};
    s.transform = "none: pixels 0..255 as float32; the model dequantizes (pixel + u) / 256 each step";
    // Without batch norm, lr 1e-3 diverged in the first epoch (loss 5e13); gradients are clipped to norm 100.
    TrainSettings quick = preset(1, 100, 1e-3, 20000, 2000, 36,
                                 "188 s on 2 CPU cores, test NLL -2239 nats per image = 3.88 bits/dim, samples noisy "
                                 "digit-like strokes (measured, shared machine, load 6-9)");
    TrainSettings course =
        preset(50, 100, 1e-4, 0, 0, 64, "not measured; about 8 min per epoch on 2 CPU cores (estimated from quick)");
    quick.optimizers["model"].clip_grad_norm = 100;
    course.optimizers["model"].clip_grad_norm = 100;
    s.presets = {{"quick", quick}, {"course", course}};
    AutoregressiveFlowOptions o;
    o.kind = "maf";
    o.dim = 784;
    o.layers = 5;
    o.hidden = {1024};
    o.image_shape = {1, 28, 28};
    o.logit_alpha = 0.05;
    s.make = make(o);
    s.prepare = [](const Tensor& images) { return images.to(kFloat32); };
    r.add(std::move(s));
  }
}

}  // namespace dgm::models::flows
