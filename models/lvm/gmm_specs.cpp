// Seminar 4's three ways to fit a Gaussian mixture to FlowerGMM (COURSE.md,
// Seminar 4, 2024 edition): gradient MLE, classical EM, variational EM.
#include "models/lvm/gmm_em.h"
#include "models/lvm/gmm_mle.h"
#include "models/lvm/gmm_vem.h"
#include "models/lvm/specs.h"
#include "models/train/presets.h"

namespace dgm::models::lvm {

using train::settings;

namespace {

constexpr int64_t kFlowerSize = 25000;  // 20000 train as the seminar's, 5000 test
constexpr int64_t kFlowerTrain = 20000;
constexpr double kMeanStd = 4;  // initial means ~ N(0, 4^2 I): spread over the flower (petals at radius 6)

TrainSettings preset(TrainSettings t, int64_t samples, std::string expected) {
  t.samples = samples;
  t.expected_time = std::move(expected);
  return t;
}

ModelSpec base(const std::string& name, const std::string& course, const std::string& description) {
  ModelSpec s;
  s.name = name;
  s.family = "lvm";
  s.course = course;
  s.description = description;
  s.datasets = {"flower-gmm"};
  s.transform = "none";
  s.toy_size = kFlowerSize;
  return s;
}

// Seminar 4, "GMM by gradient MLE": 12 components, BATCH=128, LR=1e-3, EPOCHS=100, Adam. Small enough for the
// course's settings to be the quick preset too.
void add_mle(Registry& r) {
  ModelSpec s = base("gmm-mle", "seminar 4 (GMM by gradient MLE), lecture 3",
                     "12-component Gaussian mixture, softmax weights, Cholesky covariances, Adam on -log p(x); "
                     "density.png: learned vs true density");
  s.loss_unit = "negative log-likelihood, nats per point (the true FlowerGMM: 5.284 on the seed-0 test split)";
  s.presets = {{"quick", preset(settings(100, 128, 1e-3), 1000,
                                "test NLL 5.285 nats per point (floor 5.284), all 8 components found; 50 s wall "
                                "(20 s CPU) on 2 CPU cores (measured 2026-12-03, beside other runs)")},
               {"course", preset(settings(100, 128, 1e-3), 1000, "not measured (no GPU run yet)")}};
  s.make = [](const MakeContext&) { return std::make_shared<GmmMle>(12, 2, kMeanStd); };
  r.add(std::move(s));
}

// Seminar 4, "GMM by EM": 8 components, 40 EM steps, M-step covariances + 1e-5 I.
void add_em(Registry& r) {
  ModelSpec s = base("gmm-em", "seminar 4 (GMM by EM), lecture 3",
                     "8-component Gaussian mixture fitted by classical EM in float64 (no optimizer): one epoch = one "
                     "full-batch EM step; init: k-means++ seeding and one hard assignment; logs log_likelihood");
  s.loss_unit = "negative log-likelihood, nats per point (the true FlowerGMM: 5.284 on the seed-0 test split)";
  TrainSettings t = settings(40, kFlowerTrain, 0);
  t.optimizers = {};  // no gradient steps: GmmEm::optimizer_groups() is empty
  s.full_batch = true;
  s.presets = {{"quick", preset(t, 1000,
                                "test NLL 5.320 nats per point (floor 5.284), one component covers the centre and "
                                "a petal; 20 s wall (5.9 s CPU) on 2 CPU cores (measured 2026-12-03, beside other "
                                "runs)")},
               {"course", preset(t, 1000, "not measured (no GPU run yet)")}};
  s.make = [](const MakeContext&) { return std::make_shared<GmmEm>(8, 2); };
  r.add(std::move(s));
}

// Seminar 4, "Variational EM: gradient E and M steps". The seminar gives no numbers: the MLE model's settings and
// its 12 components, so the two differ only in the objective (8 components measured 5.423: two petal pairs merged).
void add_vem(Registry& r) {
  ModelSpec s = base(
      "gmm-vem", "seminar 4 (variational EM), lecture 3",
      "12-component Gaussian mixture (as gmm-mle) and an amortized q(z|x) (MLP 2-64-64-12); per batch an Adam step "
      "of q (E) then of the mixture (M) on -ELBO; nll = exact -log p(x), kl = -ELBO - nll");
  s.loss_unit = "negative ELBO, nats per point (nll beside it; the true FlowerGMM: 5.284)";
  TrainSettings quick = settings(100, 128, 1e-3), course = quick;
  for (TrainSettings* t : {&quick, &course}) {
    t->optimizers["encoder"] = t->optimizers.at("model");
    t->optimizers["mixture"] = t->optimizers.at("model");
    t->optimizers.erase("model");
  }
  s.presets = {
      {"quick",
       preset(quick, 1000,
              "test -ELBO 5.368, NLL 5.367 nats per point (floor 5.284), the centre and two petals merged into one "
              "ridge; 67 s wall (44 s CPU) on 2 CPU cores (measured 2026-12-03, beside other "
              "runs)")},
      {"course", preset(course, 1000, "not measured (no GPU run yet)")}};
  s.make = [](const MakeContext&) { return std::make_shared<GmmVem>(12, 2, kMeanStd); };
  r.add(std::move(s));
}

}  // namespace

void register_gmm_models(Registry& r) {
  add_mle(r);
  add_em(r);
  add_vem(r);
}

}  // namespace dgm::models::lvm
