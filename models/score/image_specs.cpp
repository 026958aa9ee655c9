// The NCSNs (models/score/ncsn.h):
//
//   ncsn-mnist  homework 4 task 3: ConditionedSimpleResnet on 28x28 MNIST in [-1, 1], 10 geometric sigmas from 2 to
//               0.02 (NCSN's 1 to 0.01 for data in [0, 1], doubled for [-1, 1]), Adam; annealed Langevin with
//               eps 8e-5 (NCSN's 2e-5, times 4 for the doubled scale) and 100 steps per level (quick: 30)
//   ncsn-2d     seminar 8's ncsn.ipynb: ConditionalScoreModel (sigma embedding 1 -> 16 -> 16, Softplus; backbone
//               2 + 16 -> 128 -> 2, Softplus) on gmm2d (weights 0.1 / 0.9 at -(5,5) / +(5,5)), 10 geometric sigmas
//               from 8 to 0.1, Adam lr 1e-3; sampling from U[-8, 8]^2, eps 0.01 at the smallest level, 100 steps per
//               level; the test metrics mode_weight (annealed) and mode_weight_plain (plain Langevin, step 0.01,
//               1000 steps: seminar 8's setting) measure the weight of the mode +(5,5), 0.9 in the data.
#include "models/score/conditional_score_model.h"
#include "models/score/conditioned_resnet.h"
#include "models/score/ncsn.h"
#include "models/score/specs.h"
#include "models/train/presets.h"
#include "nn/data/transforms.h"

namespace dgm::models::score {

namespace {

const char* kNotMeasured = "not measured (no GPU run yet)";

TrainSettings ncsn_settings(int64_t epochs, int64_t batch_size, double lr, const std::string& expected_time) {
  TrainSettings t = train::settings(epochs, batch_size, lr);
  t.loss_key = "total_loss";
  t.expected_time = expected_time;
  return t;
}

void add_ncsn_mnist(Registry& r) {
  ModelSpec s;
  s.name = "ncsn-mnist";
  s.family = "score";
  s.course = "homework 4 task 3, lecture 8, seminar 8";
  s.description =
      "NCSN: ConditionedSimpleResnet score network, 10 geometric noise levels 2 -> 0.02, annealed "
      "Langevin dynamics, on 28x28 MNIST in [-1, 1]";
  s.loss_unit =
      "total_loss: sum over pixels of sigma_t^2 / sigma_min^2 (s + eps / sigma_t)^2, per image; "
      "normalized_loss: sigma_t^2 (s + eps / sigma_t)^2 per pixel (1 for s = 0)";
  s.datasets = {"mnist", "fashion-mnist"};
  s.transform = "x * 2 / 255 - 1 in [-1, 1], 28x28";
  s.prepare = nn::data::scale_pm1;
  // quick: 2 CPU cores; half of MNIST, two epochs (938 steps of 64); 30 Langevin steps per level
  TrainSettings quick = ncsn_settings(
      2, 64, 1e-3,
      "test normalized_loss 0.134 (0.168 after epoch 1); 21.7 min wall, 394 s CPU (--threads 2, measured 2026-12-04, "
      "beside other runs). Samples are NOT digits: stroke fragments on black (dgm sample, eps 8e-5); with eps 2e-4 "
      "specks on black, with 3e-5 noisy textures, with 100 steps per level all black: the small local network "
      "pulls most pixels to the background");
  quick.limit = 30000;
  quick.test_limit = 512;
  quick.samples = 36;
  // course: the student chooses BATCH_SIZE, LR, EPOCHS; these are ours, for a GPU; 100 samples as the notebook
  TrainSettings course = ncsn_settings(20, 128, 1e-3, kNotMeasured);
  course.samples = 100;
  s.presets = {{"quick", quick}, {"course", course}};
  s.make = [](const MakeContext& c) -> std::shared_ptr<GenerativeModel> {
    const bool q = c.preset == "quick";
    const std::vector<double> sigmas = geometric_sigmas(2.0, 0.02, 10);
    NCSNConfig config;
    config.num_steps = q ? 30 : 100;
    config.eps = 8e-5;
    auto net =
        std::make_shared<ConditionedSimpleResnet>(1, 1, q ? 32 : 64, q ? 4 : 6, static_cast<int64_t>(sigmas.size()));
    return std::make_shared<NoiseConditionedScoreNetwork>(net, Shape{1, 28, 28}, sigmas, config);
  };
  r.add(std::move(s));
}

void add_ncsn_2d(Registry& r) {
  ModelSpec s;
  s.name = "ncsn-2d";
  s.family = "score";
  s.course = "seminar 8 (ncsn.ipynb), lecture 8";
  s.description =
      "2-D NCSN: ConditionalScoreModel (sigma embedding + MLP, Softplus), 10 geometric sigmas 8 -> 0.1, "
      "annealed vs plain Langevin on the 0.1 / 0.9 mixture at -(5,5) / +(5,5)";
  s.loss_unit =
      "total_loss: sum over the 2 coordinates of sigma_t^2 / sigma_min^2 (s + eps / sigma_t)^2; test "
      "mode_weight (annealed) and mode_weight_plain: the sampled weight of the mode +(5,5), 0.9 in the data";
  s.datasets = {"gmm2d"};
  // 320000 train points, 80000 test: long epochs (2500 steps of 128) between the costly evaluations (the mode
  // weights sample with 2 x 1000 Langevin steps); the score needs some 10^4 steps to reach the modes' pull
  s.toy_size = 400000;
  TrainSettings quick = ncsn_settings(
      6, 128, 1e-3,
      "test normalized_loss 0.546, mode_weight 1.00 (data 0.9: in 15000 steps the network has not learned the 0.1 "
      "mode's basin; the same sampler on the exact score gives 0.9, test_ncsn_modes.cpp), mode_weight_plain 0.78; "
      "9.6 min wall, 60 s CPU (measured 2026-12-04, beside other runs)");
  quick.test_limit = 500;
  quick.samples = 1000;
  TrainSettings course = ncsn_settings(40, 128, 1e-3, kNotMeasured);
  course.test_limit = 2000;
  course.samples = 1000;
  s.presets = {{"quick", quick}, {"course", course}};
  s.make = [](const MakeContext&) -> std::shared_ptr<GenerativeModel> {
    const std::vector<double> sigmas = geometric_sigmas(8.0, 0.1, 10);
    NCSNConfig config;
    config.num_steps = 100;
    config.eps = 0.01;
    config.init_range = 8;
    config.mode_metrics = true;
    auto net = std::make_shared<ConditionalScoreModel>(tensor(std::vector<double>(sigmas)));
    return std::make_shared<NoiseConditionedScoreNetwork>(net, Shape{2}, sigmas, config);
  };
  r.add(std::move(s));
}

}  // namespace

void register_image_models(Registry& r) {
  add_ncsn_mnist(r);
  add_ncsn_2d(r);
}

}  // namespace dgm::models::score
