// Homework 5 task 2, the DDPM on 2-D moons (hw5.3: DDPM's loss and sample). The notebook trains and looks at the
// pictures; these checks can fail:
//   * ConditionalMLP (given) and the DDPM's shapes;
//   * simple_loss(x0, t, eps) equals mean (eps - eps_theta(sqrt(abar_t) x0 + sqrt(1 - abar_t) eps, t))^2 with abar
//     written again here from the cosine formula (a wrong target, x_t or t shows);
//   * loss(x0) with a hand-set predictor whose output is a known constant c_t per timestep: E loss = 1 + E_t |c_t|^2
//     / D when t ~ U{0, ..., T-1} and eps ~ N(0, I) (a predictor nonzero at t = 0 only, then at t = T-1 only, catches
//     t drawn from [1, T] or [0, T-1));
//   * sample(n): shape, the same draws for the same seed, and with a predictor that outputs 0 the law of the chain in
//     closed form (x0^ = x_t / sqrt(abar_t), every step affine: x_{-1} ~ N(0, V), V by the recursion written here).
#include <cmath>
#include <vector>

#include "../helpers.h"
#include "../models/diffusion/cosine_schedule_reference.h"
#include "models/diffusion/ddpm.h"
#include "models/diffusion/samplers.h"

using namespace dgm;
namespace diffusion = dgm::models::diffusion;

namespace {

using dgm::test::abar_reference;

std::shared_ptr<diffusion::DDPM> make_ddpm(int64_t T, int64_t hidden = 128) {
  manual_seed(5);
  return std::make_shared<diffusion::DDPM>(T, std::make_shared<diffusion::ConditionalMLP>(2, T, hidden));
}

// A ConditionalMLP(2, T, hidden 2) set by hand so that eps_theta(x, t) = c_t = (value[t], 0), whatever x:
// x_proj = 0, t_proj row t = (value[t] / 1.0507^3, 0) >= 0, identity backbone (SELU(v) = 1.0507 v for v > 0, and
// SELU(0) = 0).
void set_constant_predictor(diffusion::DDPM& ddpm, const std::vector<double>& value) {
  NoGradGuard no_grad;
  auto& m = *ddpm.model;
  m.x_proj->weight.zero_();
  m.x_proj->bias.zero_();
  const double k = std::pow(1.0507009873554805, 3);
  std::vector<float> rows;
  for (double v : value) {
    rows.push_back(static_cast<float>(v / k));
    rows.push_back(0.f);
  }
  m.t_proj->weight.copy_(tensor(rows, {static_cast<int64_t>(value.size()), 2}));
  for (auto& [name, p] : m.backbone->named_parameters())
    p.copy_(name.find("weight") != std::string::npos ? eye(2) : zeros({2}));
}

}  // namespace

TEST_CASE("hw5.3: ConditionalMLP and DDPM shapes", "[hw5][hw5.3]") {
  auto ddpm = make_ddpm(100);
  const Tensor x = randn({8, 2});
  const Tensor t = tensor(std::vector<int64_t>{0, 1, 2, 3, 50, 97, 98, 99});
  CHECK(ddpm->model->forward(x, t).shape() == Shape{8, 2});
  CHECK(ddpm->predict_eps(x, t).shape() == Shape{8, 2});
  // x_proj (2 -> 128), t_proj (100 x 128), backbone 128 -> 128 -> 128 -> 2
  int64_t count = 0;
  for (const Tensor& p : ddpm->model->parameters()) count += p.numel();
  CHECK(count == 2 * 128 + 128 + 100 * 128 + 2 * (128 * 128 + 128) + 128 * 2 + 2);
  const Tensor loss = ddpm->loss(x).at("loss");
  CHECK(loss.dim() == 0);
  CHECK(std::isfinite(loss.item<float>()));
  Generator gen(1);
  CHECK(ddpm->sample(16, &gen).shape() == Shape{16, 2});
}

TEST_CASE("hw5.3: simple_loss(x0, t, eps) is the MSE between eps and eps_theta(x_t, t)", "[hw5][hw5.3]") {
  const int T = 100;
  const std::vector<double> abar = abar_reference(T);
  auto ddpm = make_ddpm(T, 32);
  const Tensor x0 = randn({6, 2});
  const Tensor noise = randn({6, 2});
  const std::vector<int64_t> ts{0, 5, 17, 50, 98, 99};
  std::vector<float> xt(12);
  const std::vector<float> x0v = x0.to_vector<float>(), nv = noise.to_vector<float>();
  for (size_t i = 0; i < 6; ++i)
    for (size_t j = 0; j < 2; ++j)
      xt[2 * i + j] =
          static_cast<float>(std::sqrt(abar[ts[i]]) * x0v[2 * i + j] + std::sqrt(1 - abar[ts[i]]) * nv[2 * i + j]);
  const Tensor t = tensor(ts);
  const std::vector<float> pred = ddpm->model->forward(tensor(xt, {6, 2}), t).to_vector<float>();
  double expected = 0;
  for (size_t k = 0; k < 12; ++k) expected += std::pow(nv[k] - pred[k], 2) / 12;
  const Tensor loss = ddpm->simple_loss(x0, t, noise);
  CHECK(loss.dim() == 0);
  CHECK(loss.item<float>() == Approx(expected).epsilon(1e-5));
  // and it is differentiable in the predictor's weights
  loss.backward();
  CHECK(ddpm->model->x_proj->weight.grad().defined());
}

TEST_CASE("hw5.3: loss(x0) draws t uniformly from {0, ..., T-1} and eps from N(0, I)", "[hw5][hw5.3]") {
  // E loss = E_t mean_j (eps_j - c_t,j)^2 = 1 + E_t value[t]^2 / 2. With value = 3 at one timestep of T = 10:
  // 1 + 9 / 20 = 1.45 if that timestep is drawn with probability 1/10, 1 if never. Per-example loss variance is at
  // most ~3.7 (E l^2 <= 5.8 with l = ((eps_1 - c)^2 + eps_2^2) / 2), so over B = 20000 examples the mean's
  // standard error is <= sqrt(3.7 / 20000) = 0.014; tolerance 0.07 = 5 standard errors.
  const int64_t T = 10, B = 20000;
  auto ddpm = make_ddpm(T, 2);
  const Tensor x0 = randn({B, 2});
  for (int64_t active : {int64_t{0}, T - 1, int64_t{4}}) {
    INFO("c_t = (3, 0) at t = " << active << " only");
    std::vector<double> value(T, 0.0);
    value[static_cast<size_t>(active)] = 3;
    set_constant_predictor(*ddpm, value);
    // the hand-set predictor is what we think it is
    test::check_values(ddpm->predict_eps(zeros({2, 2}), tensor(std::vector<int64_t>{active, (active + 1) % T})),
                       {3, 0, 0, 0});
    manual_seed(100 + active);
    CHECK(ddpm->loss(x0).at("loss").item<float>() == Approx(1.45).margin(0.07));
  }
  // all zero: the loss is the mean of eps^2, 1 within 5 standard errors sqrt(2 / (2 B)) = 0.007
  set_constant_predictor(*ddpm, std::vector<double>(T, 0.0));
  manual_seed(7);
  CHECK(ddpm->loss(x0).at("loss").item<float>() == Approx(1.0).margin(0.035));
}

TEST_CASE("hw5.3: sample(n) runs t = T-1, ..., 0 through the reverse diffusion", "[hw5][hw5.3]") {
  const int T = 10;
  auto ddpm = make_ddpm(T, 32);
  Generator a(3), b(3), c(4);
  const Tensor xa = ddpm->sample(64, &a);
  REQUIRE(xa.shape() == Shape{64, 2});
  CHECK(xa.to_vector<float>() == ddpm->sample(64, &b).to_vector<float>());
  CHECK(xa.to_vector<float>() != ddpm->sample(64, &c).to_vector<float>());
  CHECK(!xa.requires_grad());
  // the loop is the shared ancestral sampler's: the same draws give the same points
  Generator d(3);
  const Tensor x_T = randn({64, 2}, &d);
  const diffusion::EpsFn eps = [&](const Tensor& x, const Tensor& t) { return ddpm->predict_eps(x, t); };
  CHECK(xa.to_vector<float>() ==
        diffusion::ddpm_sample_loop(ddpm->reverse_diffusion(), eps, x_T, &d).to_vector<float>());

  // eps_theta = 0: x0^ = x_t / sqrt(abar_t), x_{t-1} = A_t x_t + sqrt(beta~_t) z, A_t = x0_coef / sqrt(abar_t) +
  // xt_coef, so the samples are N(0, V) with V = recursion from V = 1 at t = T-1. Sample variance of 2 x 20000
  // values: standard error V sqrt(2 / 40000); tolerance 5 of them.
  auto zero = make_ddpm(T, 2);
  set_constant_predictor(*zero, std::vector<double>(T, 0.0));
  const std::vector<double> abar = abar_reference(T);
  double V = 1;
  for (int t = T - 1; t >= 0; --t) {
    const double ab = abar[t], abp = t == 0 ? 1.0 : abar[t - 1], beta = 1 - ab / abp;
    const double A = std::sqrt(abp) * beta / (1 - ab) / std::sqrt(ab) + std::sqrt(1 - beta) * (1 - abp) / (1 - ab);
    V = A * A * V + (1 - abp) / (1 - ab) * beta;
  }
  Generator e(5);
  const Tensor x = zero->sample(20000, &e);
  const double var = x.var().item<double>(), mean = x.mean().item<double>();
  INFO("V = " << V << ", sample variance " << var);
  CHECK(std::abs(var - V) < 5 * V * std::sqrt(2.0 / 40000));
  CHECK(std::abs(mean) < 5 * std::sqrt(V / 40000));
}
