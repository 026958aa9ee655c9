// MAF / IAF layers and the autoregressive flow model (models/flows/maf.h,
// autoregressive_flow.h): sampling in D passes inverts the one-pass density
// direction, the log-det is the log of the triangular Jacobian's diagonal
// (autograd), a zero net is the standard normal (closed form), the bound on
// log sigma, the dequantized loss, and errors for bad inputs.
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>

#include "dgm.h"
#include "models/flows/autoregressive_flow.h"
#include "models/flows/maf.h"
#include "tests/helpers.h"

using namespace dgm;
using namespace dgm::models::flows;

namespace {

template <typename Layer>
std::shared_ptr<Layer> layer_f64(int64_t dim, std::vector<int64_t> order = {}, uint64_t seed = 5) {
  Generator gen(seed);
  auto layer = std::make_shared<Layer>(dim, std::vector<int64_t>{16, 16}, 5.0, std::move(order));
  for (const auto& l : layer->made->layers()) l->reset_parameters(&gen);
  layer->to(kFloat64);
  return layer;
}

void zero_parameters(nn::Module& m) {
  NoGradGuard g;
  for (Tensor p : m.parameters()) p.zero_();
}

double max_abs_diff(const Tensor& a, const Tensor& b) { return (a - b).abs().max().item(); }

// Rows of dz/dx at x (B = 1), by autograd: jac[i][j] = d z_i / d x_j.
std::vector<std::vector<double>> jacobian(FlowLayer& layer, const Tensor& x0, bool invert) {
  const int64_t d = x0.size(1);
  std::vector<std::vector<double>> jac;
  for (int64_t i = 0; i < d; ++i) {
    Tensor x = x0.detach().clone().requires_grad_();
    layer.forward(x, invert).z.select(1, i).sum().backward();
    jac.push_back(x.grad().reshape({-1}).to_vector<double>());
  }
  return jac;
}

// The Jacobian is triangular in the MADE's order, and the log-det is the sum of the log |diagonal|.
void check_triangular_log_det(FlowLayer& layer, const std::vector<int64_t>& order, const Tensor& x, bool invert) {
  auto jac = jacobian(layer, x, invert);
  const int64_t d = x.size(1);
  double log_diag = 0;
  for (int64_t i = 0; i < d; ++i) {
    for (int64_t j = 0; j < d; ++j) {
      INFO("d z_" << i << " / d x_" << j << " with degrees " << order[i] << ", " << order[j]);
      if (order[j] > order[i]) CHECK(jac[i][j] == 0.0);
    }
    log_diag += std::log(std::fabs(jac[i][i]));
  }
  NoGradGuard g;
  const double log_det = layer.forward(x, invert).log_det.item();
  CHECK(std::fabs(log_det - log_diag) < 1e-10);
}

}  // namespace

TEST_CASE("MAFLayer: sampling in D passes inverts the one-pass density direction", "[flows]") {
  for (int64_t dim : {1, 2, 4, 7}) {
    auto layer = layer_f64<MAFLayer>(dim);
    Tensor x = test::uniform_values({6, dim}, -2, 2, 11);
    NoGradGuard g;
    FlowOutput fwd = layer->flow(x);
    FlowOutput back = layer->inverse(fwd.z);
    INFO("D = " << dim);
    CHECK(max_abs_diff(back.z, x) < 1e-12);
    CHECK(max_abs_diff(back.log_det, -fwd.log_det) < 1e-12);
  }
}

TEST_CASE("MAFLayer: with D-1 passes sampling is not yet exact (D passes are needed)", "[flows]") {
  // x_j = z_j exp(a_j(x_<j)) + mu_j(x_<j): pass k fixes the dimension of degree k; the last one needs all before it.
  const int64_t dim = 4;
  auto layer = layer_f64<MAFLayer>(dim);
  Tensor x = test::uniform_values({3, dim}, -2, 2, 12);
  NoGradGuard g;
  Tensor z = layer->flow(x).z;
  Tensor xs = zeros_like(z);
  for (int64_t pass = 0; pass < dim - 1; ++pass) {
    MADE::Output o = layer->made->conditioner(xs);
    xs = z * exp(bounded_log_sigma(o.log_sigma, 5.0)) + o.mu;
  }
  CHECK(max_abs_diff(xs.narrow(1, 0, dim - 1), x.narrow(1, 0, dim - 1)) < 1e-12);
  CHECK(max_abs_diff(xs.narrow(1, dim - 1, 1), x.narrow(1, dim - 1, 1)) > 1e-6);
}

TEST_CASE("IAFLayer: the one-pass sampling direction and the D-pass density direction invert each other", "[flows]") {
  for (int64_t dim : {1, 3, 6}) {
    auto layer = layer_f64<IAFLayer>(dim);
    Tensor z = test::uniform_values({5, dim}, -2, 2, 13);
    NoGradGuard g;
    FlowOutput x = layer->inverse(z);
    FlowOutput back = layer->flow(x.z);
    INFO("D = " << dim);
    CHECK(max_abs_diff(back.z, z) < 1e-12);
    CHECK(max_abs_diff(back.log_det, -x.log_det) < 1e-12);
  }
}

TEST_CASE("MAF and IAF: the Jacobian is triangular in the MADE order; log-det = sum log|diagonal|", "[flows]") {
  const std::vector<int64_t> order{3, 1, 4, 2};
  Tensor x = test::uniform_values({1, 4}, -1.5, 1.5, 14);
  auto maf = layer_f64<MAFLayer>(4, order);
  check_triangular_log_det(*maf, order, x, false);  // dz/dx, one pass
  check_triangular_log_det(*maf, order, x, true);   // dx/dz, D passes
  auto iaf = layer_f64<IAFLayer>(4, order);
  check_triangular_log_det(*iaf, order, x, false);
  check_triangular_log_det(*iaf, order, x, true);
}

TEST_CASE("MAFLayer: the diagonal of dz/dx is exp(-a) with a = B tanh(raw / B)", "[flows]") {
  // A huge log-sigma bias: raw = 40 for every dimension, bounded to 5 tanh(8) (closed form).
  auto layer = layer_f64<MAFLayer>(3);
  {
    NoGradGuard g;
    auto out = layer->made->layers().back();
    out->weight.zero_();
    out->bias.fill_(40.0);
  }
  Tensor x = test::uniform_values({2, 3}, -1, 1, 15);
  NoGradGuard g;
  FlowOutput f = layer->flow(x);
  const double a = 5.0 * std::tanh(8.0);
  test::check_values(f.log_det, {-3 * a, -3 * a}, 1e-12, 0);
  // mu = 40 too: z = (x - 40) exp(-a)
  test::check_values(f.z, ((x - 40.0) * std::exp(-a)).reshape({-1}).to_vector<double>(), 1e-12, 1e-12);
  test::check_values(bounded_log_sigma(tensor(std::vector<double>{-100, 0, 1}, {3}), 2.0),
                     {-2 * std::tanh(50.0), 0, 2 * std::tanh(0.5)}, 1e-15, 0);
}

TEST_CASE("AutoregressiveFlow: zero weights and biases give the standard normal", "[flows]") {
  for (std::string kind : {"maf", "iaf"}) {
    AutoregressiveFlowOptions o;
    o.kind = kind;
    o.dim = 3;
    o.layers = 3;
    o.hidden = {8};
    models::flows::AutoregressiveFlow flow(o);
    flow.to(kFloat64);
    zero_parameters(flow);
    Tensor x = tensor(std::vector<double>{0, 0, 0, 1, -2, 0.5}, {2, 3});
    NoGradGuard g;
    // log N(x; 0, I) = -|x|^2 / 2 - (3/2) log(2 pi)
    const double c = 1.5 * std::log(2 * std::numbers::pi);
    INFO(kind);
    test::check_values(flow.log_prob(x), {-c, -0.5 * (1 + 4 + 0.25) - c}, 1e-12, 0);
    // The reversals still permute: z = x reversed twice (3 layers, 2 reversals) = x.
    CHECK(max_abs_diff(flow.to_noise(x).z, x) == 0.0);
  }
}

TEST_CASE("AutoregressiveFlow: samples invert the density direction through the whole stack", "[flows]") {
  AutoregressiveFlowOptions o;
  o.dim = 5;
  o.layers = 3;
  o.hidden = {12, 12};
  models::flows::AutoregressiveFlow flow(o);
  flow.to(kFloat64);
  Generator gen(3);
  NoGradGuard g;
  Tensor x = flow.sample(4, &gen);
  REQUIRE(x.shape() == Shape({4, 5}));
  Generator again(3);
  Tensor z = randn({4, 5}, TensorOptions(kFloat64), &again);
  CHECK(max_abs_diff(flow.to_noise(x).z, z) < 1e-10);
}

TEST_CASE("AutoregressiveFlow: the dequantized loss of a zero net is the closed-form normal / logit density",
          "[flows]") {
  AutoregressiveFlowOptions o;
  o.dim = 4;
  o.layers = 2;
  o.hidden = {6};
  o.image_shape = {1, 2, 2};
  Tensor pixels = tensor(std::vector<double>{0, 255, 128, 7, 1, 2, 250, 100}, {2, 1, 2, 2});
  Tensor noise = tensor(std::vector<double>{0.5, 0.25, 0.0, 0.9, 0.1, 0.3, 0.7, 0.2}, {2, 1, 2, 2});
  std::vector<double> p = pixels.to_vector<double>(), u = noise.to_vector<double>();
  const double half_log_2pi = 0.5 * std::log(2 * std::numbers::pi);
  for (double alpha : {0.0, 0.05}) {
    o.logit_alpha = alpha;
    models::flows::AutoregressiveFlow flow(o);
    flow.to(kFloat64);
    zero_parameters(flow);
    // -log p(x) = sum_j [y_j^2 / 2 + log(2 pi) / 2 - log|dy_j/dx_j|], y = logit(alpha + (1 - 2 alpha) x) or x
    double nll = 0;
    for (size_t i = 0; i < p.size(); ++i) {
      const double x = (p[i] + u[i]) / 256;
      double y = x, log_dy = 0;
      if (alpha > 0) {
        const double s = alpha + (1 - 2 * alpha) * x;
        y = std::log(s / (1 - s));
        log_dy = std::log((1 - 2 * alpha) / (s * (1 - s)));
      }
      nll += 0.5 * y * y + half_log_2pi - log_dy;
    }
    nll /= 2;  // the batch mean
    INFO("alpha = " << alpha);
    CHECK(std::fabs(flow.dequantized_nll(pixels, noise).item() - nll) < 1e-10);
  }
}

TEST_CASE("MAF / IAF / Permutation / AutoregressiveFlow: bad inputs are errors naming the shapes", "[flows]") {
  MAFLayer maf(3, {8});
  IAFLayer iaf(3, {8});
  CHECK_THROWS_WITH(maf.flow(zeros({2, 4})), Catch::Contains("MAFLayer: expected input (B,3), got (2,4)"));
  CHECK_THROWS_WITH(maf.inverse(zeros({2, 3, 1})), Catch::Contains("MAFLayer: expected input (B,3), got (2,3,1)"));
  CHECK_THROWS_WITH(iaf.flow(zeros({5})), Catch::Contains("IAFLayer: expected input (B,3), got (5)"));
  CHECK_THROWS_WITH(maf.flow(zeros({2, 3}, kInt64)), Catch::Contains("MAFLayer: expected a floating point input"));
  CHECK_THROWS_WITH(MAFLayer(3, {8}, 0.0), Catch::Contains("MAFLayer: log_sigma_bound must be positive, got 0"));
  CHECK_THROWS_WITH(Permutation({0, 2, 2}), Catch::Contains("Permutation: expected a permutation of 0..2"));
  CHECK_THROWS_WITH(Permutation::reverse(4)->flow(zeros({1, 3})),
                    Catch::Contains("Permutation: expected input (B,4), got (1,3)"));
  AutoregressiveFlowOptions o;
  o.dim = 2;
  o.kind = "made";
  CHECK_THROWS_WITH(models::flows::AutoregressiveFlow(o),
                    Catch::Contains("AutoregressiveFlow: kind must be \"maf\" or \"iaf\", got \"made\""));
  o.kind = "maf";
  models::flows::AutoregressiveFlow flow(o);
  CHECK_THROWS_WITH(flow.loss(zeros({4, 3})), Catch::Contains("MAF: expected input (B,2), got (4,3)"));
  o.image_shape = {1, 2, 2};
  CHECK_THROWS_WITH(models::flows::AutoregressiveFlow(o), Catch::Contains("must have C*H*W = dim = 2"));
  o.dim = 4;
  o.logit_alpha = 0.5;
  CHECK_THROWS_WITH(models::flows::AutoregressiveFlow(o),
                    Catch::Contains("AutoregressiveFlow: logit_alpha must be in [0, 0.5), got 0.5"));
  o.logit_alpha = 0.05;
  models::flows::AutoregressiveFlow images(o);
  CHECK_THROWS_WITH(images.loss(zeros({2, 1, 2, 3})),
                    Catch::Contains("MAF: expected images (B,1,2,2) of pixels 0..255, got (2,1,2,3)"));
  CHECK_THROWS_WITH(images.dequantized_nll(zeros({2, 1, 2, 2}), zeros({2, 4})),
                    Catch::Contains("the noise must have the pixels' shape (2,1,2,2)"));
}
