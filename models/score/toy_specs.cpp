// The score models of seminar 8 and homework 4 task 2, and seminar 8's heuristic denoiser:
//
//   langevin-gmm    Langevin dynamics on the analytic score of seminar 8's 2-D mixture (langevin_gmm.h): nothing is
//                   trained; the run logs the exact NLL of the data and the weight the chains give the 0.9 mode
//   dsm-moons       denoising score matching on moons (denoising_score_matcher.h, homework 4 task 2): a SiLU
//                   MLP 2 -> 128 -> 128 -> 2, sigma 0.1, Adam lr 3e-3 + StepLR(step_size 1, gamma 0.95) per epoch,
//                   batch 32 (batch 128 gave a score field too weak to pull the samples onto the moons)
//   denoiser-mnist  seminar 8's BasicUNet trained to undo a uniform corruption of MNIST in [0, 1], sampled by its
//                   10-step iterative rule (heuristic_denoiser.h)
#include <map>
#include <string>

#include "models/score/denoising_score_matcher.h"
#include "models/score/heuristic_denoiser.h"
#include "models/score/langevin_gmm.h"
#include "models/score/score_mlp.h"
#include "models/score/specs.h"
#include "models/train/presets.h"
#include "nn/data/transforms.h"

namespace dgm::models::score {

namespace {

const char* kNotMeasured = "not measured (no GPU run yet)";

void add_langevin_gmm(Registry& r) {
  ModelSpec s;
  s.name = "langevin-gmm";
  s.family = "score";
  s.course = "seminar 8 (ncsn.ipynb), lecture 7";
  s.description =
      "Langevin dynamics (eta 0.01, 1000 steps from U[-8,8]^2) on the exact score of the mixture "
      "0.1 N(-(5,5), I) + 0.9 N((5,5), I), by autograd w.r.t. x; nothing is trained (no optimizer)";
  s.loss_unit =
      "nll: the exact -log p(x) of the data, nats per point; mode_weight: share of 1000 Langevin chains "
      "at the +(5,5) mode (true_mode_weight 0.9)";
  s.datasets = {"gmm2d"};
  TrainSettings t;
  t.epochs = 1;
  t.batch_size = 1000;
  t.optimizers = {};  // no gradient steps: LangevinGMM::optimizer_groups() is empty
  t.loss_key = "nll";
  t.samples = 1000;
  TrainSettings quick = t, course = t;
  quick.expected_time =
      "test mode_weight 0.506 (true 0.9), nll 3.113 nats (entropy 3.163); 1.2 s wall, 1.2 s CPU (--threads 1, "
      "measured 2026-12-04, beside other runs)";
  course.expected_time = kNotMeasured;
  s.presets = {{"quick", quick}, {"course", course}};
  s.make = [](const MakeContext&) { return std::make_shared<LangevinGMM>(); };
  r.add(std::move(s));
}

TrainSettings dsm_settings(int64_t epochs, const std::string& expected_time) {
  TrainSettings t = train::settings(epochs, 32, 3e-3);
  // StepLR(step_size = 1, gamma = 0.95), stepped once per epoch, as the homework's
  train::ScheduleSpec& lr = t.optimizers.at("model").schedule;
  lr.kind = "step";
  lr.step_size = 1;
  lr.gamma = 0.95;
  lr.unit = "epoch";
  t.loss_key = "total_loss";
  t.samples = 1000;
  t.expected_time = expected_time;
  return t;
}

void add_dsm_moons(Registry& r) {
  ModelSpec s;
  s.name = "dsm-moons";
  s.family = "score";
  s.course = "homework 4 task 2, lecture 7";
  s.description =
      "denoising score matching, sigma 0.1: SiLU MLP score 2 -> 128 -> 128 -> 2; Langevin sampling "
      "from U[-1,1]^2, eta 0.01, 200 steps; score.png: learned score beside the sigma-smoothed data's";
  s.loss_unit =
      "total_loss: sum over the 2 dimensions of the mean squared error to -eps/sigma (its floor is "
      "not 0: the smoothed data's score leaves a residual)";
  s.datasets = {"moons"};
  s.presets = {
      {"quick",
       dsm_settings(60,
                    "test total_loss 164.5 (a zero score: 200); two clear moons, a little wider than the data; 5.7 "
                    "min wall at load 16, 30 s CPU (--threads 1, measured 2026-12-04, beside other runs)")},
      {"course", dsm_settings(100, kNotMeasured)}};
  s.make = [](const MakeContext&) {
    auto model = std::make_shared<DenoisingScoreMatcher>(score_mlp(2, {128, 128}), Shape{2}, 0.1);
    model->sample_steps = 200;
    return model;
  };
  r.add(std::move(s));
}

void add_denoiser_mnist(Registry& r) {
  ModelSpec s;
  s.name = "denoiser-mnist";
  s.family = "score";
  s.course = "seminar 8 (denoising_model.ipynb)";
  s.description =
      "heuristic denoiser: BasicUNet (conv 5x5, widths 32/64, MaxPool, nearest upsampling, additive "
      "skips, SiLU) undoing (1 - a) x + a U[0,1]; 10-step iterative sampling from U[0,1]";
  s.loss_unit = "loss: MSE between the prediction and the clean image, per pixel in [0, 1]";
  s.datasets = {"mnist", "fashion-mnist"};
  s.transform = "x / 255 in [0, 1]";
  s.prepare = [](const Tensor& images) { return nn::data::scale_01(images); };
  // the seminar: batch 128, Adam lr 1e-3, 10 epochs
  TrainSettings course = train::settings(10, 128, 1e-3);
  course.expected_time = kNotMeasured;
  TrainSettings quick = train::settings(2, 128, 1e-3);
  quick.limit = 10000;
  quick.test_limit = 1000;
  quick.expected_time =
      "test loss 0.0258 (MSE per pixel); digit-like strokes, few legible digits (the seminar's heuristic); "
      "11.9 min wall at load 16, 125 s CPU (--threads 2, measured 2026-12-04, beside other runs)";
  s.presets = {{"quick", quick}, {"course", course}};
  s.make = [](const MakeContext&) { return std::make_shared<HeuristicDenoiser>(32, 64, 10); };
  r.add(std::move(s));
}

}  // namespace

void register_toy_models(Registry& r) {
  add_langevin_gmm(r);
  add_dsm_moons(r);
  add_denoiser_mnist(r);
}

}  // namespace dgm::models::score
