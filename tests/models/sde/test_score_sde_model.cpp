// The 2-D score SDE model (models/sde/score_sde_model.h): the Fourier time features by hand, the score's
// preconditioning and the DSM loss against their formulas, the samplers' wiring, the expected DSM loss of the exact
// score of a Gaussian (c^2 s^2 / v(t), derived below) as the floor a trained network approaches, the errors, and
// `dgm train sde-vp-moons` / `sde-ve-moons` end to end (pictures, chamfer keys, resume bit-identical).
#include <cmath>
#include <filesystem>

#include "../../helpers.h"
#include "models/sde/score_sde_model.h"
#include "models/sde/score_sde_samplers.h"
#include "nn/optim/adam.h"
#include "tests/models/sde/gaussian_data_sde.h"
#include "tests/models/train/run_checks.h"

using namespace dgm;
namespace sde = dgm::models::sde;
namespace fs = std::filesystem;

namespace {

std::shared_ptr<sde::ScoreSdeModel> small_model(const std::string& kind) {
  manual_seed(4);
  return std::make_shared<sde::ScoreSdeModel>(
      sde::make_score_sde(kind, kind == "vp" ? 0.1 : 0.01, kind == "vp" ? 20 : 4),
      std::make_shared<sde::TimeScoreMLP>(2, std::vector<int64_t>{16}, 3));
}

}  // namespace

TEST_CASE("Fourier time features: [sin(2^k pi t), cos(2^k pi t)] by hand", "[sde][score_sde_model]") {
  const Tensor t = tensor(std::vector<double>{0.25, 0.0}, {2});
  const double r = std::sqrt(0.5);
  // t = 1/4: sin(pi/4), sin(pi/2), cos(pi/4), cos(pi/2); t = 0: 0, 0, 1, 1
  test::check_values(sde::fourier_time_features(t, 2), {r, 1, r, 0, 0, 0, 1, 1}, 1e-12, 0);
  CHECK(sde::fourier_time_features(t.to(kFloat32), 3).shape() == Shape{2, 6});
  CHECK_THROWS_WITH(sde::fourier_time_features(zeros({2, 1}), 2), Catch::Contains("expected times t (B) float"));
  CHECK_THROWS_WITH(sde::fourier_time_features(t, 0), Catch::Contains("num_frequencies must be >= 1, got 0"));
}

TEST_CASE("ScoreSdeModel: the score's scaling and the DSM loss against their formulas", "[sde][score_sde_model]") {
  for (const std::string kind : {"vp", "ve"}) {
    INFO(kind);
    auto model = small_model(kind);
    model->to(kFloat64);
    const test::GaussianDataSde ref{kind, kind == "vp" ? 0.1 : 0.01, kind == "vp" ? 20.0 : 4.0, 0, 0};
    const Tensor x0 = test::uniform_values({3, 2}, -1, 2, 1);
    const Tensor z = test::uniform_values({3, 2}, -1, 1, 2);
    const std::vector<double> tv{0.01, 0.5, 1.0};
    const Tensor t = tensor(tv, {3});
    // x_t = c x0 + std z; s_theta = net(x_t / sqrt(c^2 + std^2), t) / std; loss = mean (std s_theta + z)^2
    const auto xv = x0.to_vector<double>(), zv = z.to_vector<double>();
    std::vector<double> xt(6), xin(6), cin(3), sd(3);
    for (int i = 0; i < 6; ++i) {
      const double c = ref.c(tv[i / 2]), s = std::sqrt(ref.std2(tv[i / 2]));
      xt[i] = c * xv[i] + s * zv[i];
      xin[i] = xt[i] / std::sqrt(c * c + s * s);
      sd[i / 2] = s;
    }
    const Tensor net_out = model->net->forward(tensor(xin, {3, 2}), t);
    const auto nv = net_out.to_vector<double>();
    std::vector<double> score(6);
    double loss = 0;
    for (int i = 0; i < 6; ++i) {
      score[i] = nv[i] / sd[i / 2];
      loss += (nv[i] + zv[i]) * (nv[i] + zv[i]) / 6;
    }
    test::check_values(model->score(tensor(xt, {3, 2}), t), score, 1e-9, 1e-7);
    CHECK(model->dsm_loss(x0, t, z).item<double>() == Approx(loss).epsilon(1e-9));
    // the one-t form is the per-example form with t repeated
    test::check_values(model->score(tensor(xt, {3, 2}), 0.5),
                       model->score(tensor(xt, {3, 2}), full({3}, 0.5, kFloat64)).to_vector<double>(), 0, 0);
  }
}

TEST_CASE("ScoreSdeModel: on Gaussian data the DSM loss is bounded below by c^2 s^2 / v(t) and training reaches it",
          "[sde][score_sde_model]") {
  // For data N(m, s^2) per coordinate the best std s_theta is std * (-(x_t - c m) / v). With u = c (x0 - m) ~
  // N(0, c^2 s^2): std s* + z = z (1 - std^2 / v) - std u / v, of variance (c^2 s^2 / v)^2 + std^2 c^2 s^2 / v^2 =
  // c^2 s^2 / v. So at a fixed t the expected loss of ANY network is >= L*(t) = c^2 s^2 / v (a loss of the wrong scale
  // falls below it), and a trained one comes close. The loss at one t over N draws is a mean of squares of N(0, L)
  // variables at the optimum: standard error about L sqrt(2 / N) (the tolerance below uses 5 of them).
  for (const std::string kind : {"vp", "ve"}) {
    const double m = 0.5, s = 0.7;
    const test::GaussianDataSde ref{kind, kind == "vp" ? 0.1 : 0.01, kind == "vp" ? 20.0 : 4.0, m, s};
    auto model = small_model(kind);
    nn::optim::Adam adam(model->parameters(), nn::optim::AdamOptions(1e-2));
    Generator data_gen(1);
    for (int step = 0; step < 400; ++step) {
      const Tensor x0 = m + s * randn({256, 2}, &data_gen);
      adam.zero_grad();
      const Tensor loss = model->dsm_loss(x0);
      loss.backward();
      adam.step();
    }
    NoGradGuard no_grad;
    const int64_t N = 20000;  // 2 coordinates each: 40000 squares
    for (double t : {0.1, 0.5, 0.9}) {
      Generator gen(7);
      const Tensor x0 = m + s * randn({N, 2}, &gen);
      const Tensor z = randn({N, 2}, &gen);
      const double loss = model->dsm_loss(x0, full({N}, t), z).item<double>();
      const double floor = ref.c(t) * ref.c(t) * s * s / ref.v(t);
      INFO(kind << ", t = " << t << ": loss " << loss << ", floor " << floor);
      CHECK(loss > floor - 5 * floor * std::sqrt(2.0 / (2 * N)));
      CHECK(loss < floor + 0.05);
    }
  }
}

TEST_CASE("ScoreSdeModel: sample and sample_ode are the samplers from the prior draw", "[sde][score_sde_model]") {
  auto model = small_model("vp");
  model->eval();
  models::SampleOptions o;
  Generator g1(3), g2(3);
  o.gen = &g1;
  o.steps = 7;
  const Tensor x = model->sample(20, o);
  REQUIRE(x.shape() == Shape{20, 2});
  const sde::ScoreFunction score = [&](const Tensor& y, double t) { return model->score(y, t); };
  const Tensor prior = model->sde->prior_sample({20, 2}, kFloat32, &g2);
  CHECK(x.to_vector<float>() == sde::reverse_sde_sample(*model->sde, score, prior, 7, 1e-3, &g2).to_vector<float>());
  // the PF-ODE: deterministic given the prior draw
  Generator g3(5), g4(5), g5(6);
  models::ode::OdeOptions rk4;
  rk4.method = models::ode::OdeMethod::rk4;
  models::ode::OdeStats stats;
  const Tensor y = model->sample_ode(20, 4, rk4, &g3, &stats);
  CHECK(stats.nfe == 16);
  const Tensor prior_y = model->sde->prior_sample({20, 2}, kFloat32, &g4);
  CHECK(y.to_vector<float>() == sde::probability_flow_sample(*model->sde, score, prior_y, 4, rk4).to_vector<float>());
  CHECK(y.to_vector<float>() != model->sample_ode(20, 4, rk4, &g5).to_vector<float>());
  CHECK(model->sample_options() == std::vector<std::string>{"steps"});
}

TEST_CASE("ScoreSdeModel: bad input is a dgm::Error", "[sde][score_sde_model]") {
  auto model = small_model("ve");
  CHECK_THROWS_WITH(sde::ScoreSdeModel(model->sde, model->net, 0.0), Catch::Contains("t_eps must be in (0, 1), got 0"));
  CHECK_THROWS_WITH(sde::ScoreSdeModel(model->sde, model->net, 1e-3, 0),
                    Catch::Contains("default_steps must be >= 1, got 0"));
  CHECK_THROWS_WITH(sde::ScoreSdeModel(nullptr, model->net), Catch::Contains("needs an SDE"));
  CHECK_THROWS_WITH(model->score(zeros({4, 3}), 0.5), Catch::Contains("expected points (B, 2)"));
  CHECK_THROWS_WITH(model->score(zeros({4, 2}), zeros({3})), Catch::Contains("one t per example"));
  CHECK_THROWS_WITH(model->dsm_loss(zeros({4, 2}), zeros({4}), zeros({4, 1})), Catch::Contains("must have x0's shape"));
  models::SampleOptions neg;
  neg.steps = -1;
  CHECK_THROWS_WITH(model->sample(4, neg), Catch::Contains("steps must be >= 0"));
  CHECK_THROWS_WITH(model->sample(-1), Catch::Contains("number of samples must be >= 0"));
  CHECK_THROWS_WITH(model->net->forward(zeros({4, 2})), Catch::Contains("forward(x, t)"));
  CHECK_THROWS_WITH(model->net->forward(zeros({4, 2}), zeros({5})), Catch::Contains("TimeScoreMLP: expected x (B, 2)"));
  CHECK_THROWS_WITH(sde::TimeScoreMLP(2, {}, 3), Catch::Contains("at least one hidden width"));
}

TEST_CASE("sde-vp-moons and sde-ve-moons train, draw their pictures, report chamfer and resume bit-identically",
          "[sde][score_sde_model][train]") {
  test::OneThread one;
  for (const std::string name : {"sde-vp-moons", "sde-ve-moons"}) {
    const test::TrainedRun run = test::train_and_resume(
        "sde_runs_" + name, name, {.limit = 256, .test_limit = 32, .batch_size = 32, .samples = 32},
        {"samples.png", "samplers.png", "trajectory_sde.png", "trajectory_ode.png"});
    test::require_test_keys(run,
                            {"loss", "chamfer_sde_20", "chamfer_sde_100", "chamfer_sde_500", "chamfer_ode_euler_10",
                             "chamfer_ode_euler_100", "chamfer_ode_rk4_5", "chamfer_ode_rk4_25"});
    CHECK(run.result.test.at("chamfer_sde_500") > 0);
    fs::remove_all(run.dir);
  }
}
