// The score SDE models of lectures 11-12 on 2-D moons (score_sde_model.h): a TimeScoreMLP 2 + 16 -> 128 -> 128 -> 128
// -> 2 (8 Fourier frequencies of t), trained by continuous-time DSM with lambda(t) = std(t)^2, t ~ U[1e-3, 1],
// sampled by the reverse SDE (Euler-Maruyama, 500 steps) and the probability-flow ODE (odeint):
//
//   sde-vp-moons   VPSDE(beta_min 0.1, beta_max 20)            (Song et al.'s VP parameters)
//   sde-ve-moons   VESDE(sigma_min 0.01, sigma_max 4)          (sigma_max of the order of the largest distance
//                                                               between two moons points, about 3.4: Song's rule)
//
// moons 400000 points (320000 train / 80000 test: epochs of 1250 steps, since the per-epoch evaluation is the costly
// part), Adam with lr decayed by gamma per epoch (quick: 2e-3 to 1.2e-4 over 16 epochs); the test split's first 1024
// points, in batches of 256, give the chamfer keys (eval mode of ScoreSdeModel::loss) every epoch.
#include "models/sde/specs.h"

#include <string>

#include "models/sde/ddpm_sde_samplers.h"
#include "models/sde/score_sde_model.h"
#include "models/train/presets.h"
#include "tensor/error.h"

namespace dgm::models::sde {

namespace {

constexpr double kTEps = 1e-3;
constexpr int64_t kDefaultSteps = 500;

// lr = lr_0 gamma^epoch (an exponential decay: unlike a cosine over the run it lets `--epochs` change on resume)
TrainSettings sde_settings(int64_t epochs, double lr, double gamma, const std::string& expected_time) {
  TrainSettings t = train::settings(epochs, 256, lr);
  train::ScheduleSpec& schedule = t.optimizers.at("model").schedule;
  schedule.kind = "exponential";
  schedule.gamma = gamma;
  t.samples = 512;
  t.test_limit = 1024;
  t.expected_time = expected_time;
  return t;
}

void add_moons(Registry& r, const std::string& kind) {
  ModelSpec s;
  s.name = "sde-" + kind + "-moons";
  s.family = "sde";
  s.course = "lectures 11-12 (score SDEs), COURSE.md section 3";
  const std::string sde_text = kind == "vp" ? "VPSDE(beta_min 0.1, beta_max 20)" : "VESDE(sigma_min 0.01, sigma_max 4)";
  s.description = "score SDE on 2-D moons: " + sde_text +
                  ", TimeScoreMLP(2, 128x3, 8 frequencies) trained by continuous-time DSM (lambda = std^2, t ~ "
                  "U[1e-3, 1]); samples by the reverse SDE (Euler-Maruyama, 500 steps) and the probability-flow ODE";
  s.loss_unit =
      "DSM: mean over coordinates of |std(t) s_theta(x_t, t) + z|^2 (1 for s = 0); test 'chamfer_<sampler>_<steps>': "
      "symmetric mean nearest-neighbour distance between B samples and the test batch";
  s.datasets = {"moons"};
  s.toy_size = 400000;
  // measured 2026-12-04 with --threads 1 beside other helpers' builds and runs (load 7-8 on the 2 cores); chamfer of
  // two independent draws of 256 moons points (the floor): 0.106 (NumPy, mean of 400 pairs)
  const std::string quick_time =
      kind == "vp"
          ? "test loss 0.201; chamfer reverse SDE 0.179 / 0.123 / 0.118 at 20 / 100 / 500 steps, PF-ODE euler 0.142 / "
            "0.118 at 10 / 100, rk4 0.119 / 0.115 at 5 / 25 (floor 0.106); 681 s wall, 129 s CPU; two moons, a "
            "little wider than the data (8 epochs: 0.135 at 500 steps)"
          : "test loss 0.633; chamfer reverse SDE 0.115 / 0.110 / 0.110 at 20 / 100 / 500 steps, PF-ODE euler 0.203 / "
            "0.109 at 10 / 100, rk4 0.116 / 0.111 at 5 / 25 (floor 0.106); 296 s wall, 125 s CPU; two clean moons "
            "(8 epochs: 0.113 at 500 steps)";
  s.presets = {{"quick", sde_settings(16, 2e-3, 0.84, quick_time)},
               {"course", sde_settings(30, 1e-3, 0.9, "not measured (no GPU run yet)")}};
  s.make = [kind](const MakeContext&) {
    std::shared_ptr<ScoreSde> sde;
    if (kind == "vp")
      sde = std::make_shared<VPSDE>(0.1, 20);
    else
      sde = std::make_shared<VESDE>(0.01, 4);
    return std::make_shared<ScoreSdeModel>(
        sde, std::make_shared<TimeScoreMLP>(2, std::vector<int64_t>{128, 128, 128}, 8), kTEps, kDefaultSteps);
  };
  r.add(std::move(s));
}

// The samplers on a trained ddpm-moons (second stage, --from runs/ddpm-moons): nothing trained, one epoch of logging
// and the chamfer table of ddpm_sde_samplers.h on the test split's first 1024 points (the DDPM's moons: 20000 points,
// the same split as its run).
void add_ddpm_moons(Registry& r) {
  ModelSpec s;
  s.name = "sde-ddpm-moons";
  s.family = "sde";
  s.course = "lecture 12 (DDPM as the VP SDE), homework 5 task 2's model";
  s.description =
      "a trained ddpm-moons (--from runs/ddpm-moons) as a VP SDE: the reverse SDE and the probability-flow ODE on "
      "its noise predictor (score = -eps / sqrt(1 - abar)) beside its ancestral and DDIM samplers; nothing trained";
  s.loss_unit =
      "the DDPM's L_simple (logged, not optimized); test 'chamfer_<sampler>_<steps>': symmetric mean "
      "nearest-neighbour distance between B samples and the test batch";
  s.datasets = {"moons"};
  s.toy_size = 20000;
  s.from = "ddpm-moons";
  TrainSettings t;
  t.epochs = 1;
  t.batch_size = 256;
  t.optimizers = {};
  t.samples = 512;
  t.test_limit = 1024;
  TrainSettings quick = t, course = t;
  quick.expected_time =
      "from a ddpm-moons run of 50 epochs (its chamfer 0.160), measured 2026-12-04 beside other runs: chamfer DDPM "
      "ancestral 0.163 (100 steps), DDIM 0.184 / 0.171 / 0.166 at 10 / 20 / 50; reverse SDE 0.550 / 0.166 / 0.169 at "
      "20 / 100 / 500; PF-ODE euler 1.46 / 0.204 at 10 / 100, rk4 0.265 / 0.176 at 5 / 25 (the cosine schedule's "
      "last beta 0.999 is beta(t) = 690 on the top 1 / T of time: few equal steps cannot cross it); 29 s wall, 7 s CPU";
  course.expected_time = "not measured (no GPU run yet)";
  s.presets = {{"quick", quick}, {"course", course}};
  s.make = [](const MakeContext& c) -> std::shared_ptr<GenerativeModel> {
    auto parent = std::dynamic_pointer_cast<diffusion::DDPM>(c.parent);
    DGM_CHECK(parent, "sde-ddpm-moons: needs a trained ddpm-moons as its parent (--from runs/ddpm-moons)");
    return std::make_shared<DdpmSdeSamplers>(parent);
  };
  s.stage_data = [](GenerativeModel& /*parent*/, const Batch& split) { return split; };
  r.add(std::move(s));
}

}  // namespace

void register_models(Registry& r) {
  r.add_family({"sde", "score SDEs: VE and VP, reverse-SDE and probability-flow ODE samplers", "lectures 11-12"});
  add_moons(r, "vp");
  add_moons(r, "ve");
  add_ddpm_moons(r);
}

}  // namespace dgm::models::sde
