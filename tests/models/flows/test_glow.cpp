// The linear flows and Glow of models/flows/: the parametrized matrices
// (W = PLU, W = QR with Householder Q) against hand-assembled matrices and
// closed-form determinants, the 1x1 convolution against a per-pixel loop,
// gradients by finite differences, the multi-scale Glow's change of variables
// against an autograd Jacobian, and the errors for bad shapes and options.
#include <cmath>

#include "models/flows/dense_decompositions.h"
#include "models/flows/glow.h"
#include "models/flows/glow_coupling.h"
#include "models/flows/invertible_conv1x1.h"
#include "models/flows/linear_flow.h"
#include "tests/helpers.h"

using namespace dgm;
using namespace dgm::models::flows;
using dgm::test::check_values;

namespace {

// Row-major 3x3 product, by hand.
std::vector<double> matmul3(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> c(9, 0.0);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) c[i * 3 + j] += a[i * 3 + k] * b[k * 3 + j];
  return c;
}

// det of a row-major 3x3 matrix by cofactor expansion along the first row.
double det3(const std::vector<double>& m) {
  return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
}

double max_abs(const Tensor& t) { return t.abs().max().item(); }

void set(Tensor& param, const Tensor& value) {
  NoGradGuard no_grad;
  param.copy_(value);
}

// The LU matrix of the hand example: P cyclic, L and U' given entry by entry.
//   P = [[0,1,0],[0,0,1],[1,0,0]]   L = [[1,0,0],[0.5,1,0],[-1,2,1]]
//   U' = U + diag(sign_s exp(log_s)) = [[2,1,-2],[0,-0.5,0.5],[0,0,3]]
std::shared_ptr<LUMatrix> hand_lu() {
  auto m = std::make_shared<LUMatrix>(3);
  m->to(kFloat64);
  set(m->permutation, tensor(std::vector<int64_t>{1, 2, 0}));  // P[i][permutation[i]] = 1
  // Only the strict triangles are read: junk on the diagonal and beyond must not matter.
  set(m->lower, tensor(std::vector<double>{9, 9, 9, 0.5, 9, 9, -1, 2, 9}, {3, 3}));
  set(m->upper, tensor(std::vector<double>{9, 1, -2, 9, 9, 0.5, 9, 9, 9}, {3, 3}));
  set(m->sign_s, tensor(std::vector<double>{1, -1, 1}));
  set(m->log_s, tensor(std::vector<double>{std::log(2.0), std::log(0.5), std::log(3.0)}));
  return m;
}

}  // namespace

TEST_CASE("LU matrix: W = P L U' assembled by hand, log|det W| = sum log_s = log 3 (3x3)", "[flows][glow]") {
  auto m = hand_lu();
  const std::vector<double> P = {0, 1, 0, 0, 0, 1, 1, 0, 0};
  const std::vector<double> L = {1, 0, 0, 0.5, 1, 0, -1, 2, 1};
  const std::vector<double> U = {2, 1, -2, 0, -0.5, 0.5, 0, 0, 3};
  const std::vector<double> W = matmul3(P, matmul3(L, U));
  // By hand: L U' = [[2,1,-2],[1,0,-0.5],[-2,-2,6]]; P moves rows (2,3,1) up: W = [[1,0,-0.5],[-2,-2,6],[2,1,-2]].
  check_values(tensor(W), {1, 0, -0.5, -2, -2, 6, 2, 1, -2}, 1e-15, 0);
  check_values(m->weight(), W, 1e-14, 0);
  // det W = det P * det L * det U' = 1 * 1 * (2 * -0.5 * 3) = -3, also by cofactors.
  REQUIRE(det3(W) == Approx(-3.0).epsilon(1e-14));
  CHECK(m->log_abs_det().item() == Approx(std::log(3.0)).epsilon(1e-14));
  auto [sign, logabs] = linalg::slogdet(m->weight());
  CHECK(sign.item() == -1.0);
  CHECK(logabs.item() == Approx(m->log_abs_det().item()).epsilon(1e-12));
  // The triangular-solve inverse.
  CHECK(max_abs(matmul(m->inverse_weight(), m->weight()) - eye(3, TensorOptions(kFloat64))) < 1e-13);
}

TEST_CASE("LU matrix: a fresh one is the PLU of a rotation; lu_decompose reproduces A = P L U", "[flows][glow]") {
  Generator gen(3);
  Tensor r = random_rotation(5, &gen);
  CHECK(max_abs(matmul(r.mT(), r) - eye(5, TensorOptions(kFloat64))) < 1e-12);
  LUFactors f = lu_decompose(r);
  CHECK(max_abs(matmul(f.permutation, matmul(f.lower, f.upper)) - r) < 1e-14);
  CHECK(max_abs(f.lower - tril(f.lower)) == 0);
  CHECK(max_abs(f.upper - triu(f.upper)) == 0);
  // Partial pivoting: |L| <= 1.
  CHECK(f.lower.abs().max().item() <= 1.0);

  Generator gen2(3);
  LUMatrix m(5, &gen2);
  m.to(kFloat64);
  // Float32 storage of the factors: W is the same rotation to float32 precision, |det W| = 1.
  CHECK(max_abs(m.weight() - r) < 1e-6);
  CHECK(std::fabs(m.log_abs_det().item()) < 1e-6);
}

TEST_CASE("QR matrix: the Householder Q is orthogonal to 1e-12 and log|det W| = sum log_r (float64)", "[flows][glow]") {
  // One reflection by hand: v = (1, 1): H = I - v v^T = [[0,-1],[-1,0]].
  check_values(householder_product(tensor(std::vector<double>{1, 1}, {1, 2})), {0, -1, -1, 0}, 1e-15, 0);
  Generator gen(7);
  QRMatrix m(6, &gen);
  m.to(kFloat64);
  {
    NoGradGuard no_grad;
    m.upper.copy_(randn({6, 6}, TensorOptions(kFloat64), &gen));
    m.log_r.copy_(randn({6}, TensorOptions(kFloat64), &gen));
  }
  Tensor q = m.orthogonal();
  CHECK(max_abs(matmul(q.mT(), q) - eye(6, TensorOptions(kFloat64))) < 1e-12);
  CHECK(max_abs(matmul(q, q.mT()) - eye(6, TensorOptions(kFloat64))) < 1e-12);
  // det Q = (-1)^6 = 1 (6 reflections), det R = prod exp(log_r).
  auto [sign, logabs] = linalg::slogdet(m.weight());
  const double sum_log_r = m.log_r.sum().item();
  CHECK(logabs.item() == Approx(sum_log_r).epsilon(1e-12));
  CHECK(m.log_abs_det().item() == Approx(sum_log_r).epsilon(1e-15));
  CHECK(sign.item() == 1.0);
  CHECK(max_abs(matmul(m.inverse_weight(), m.weight()) - eye(6, TensorOptions(kFloat64))) < 1e-12);
}

TEST_CASE("invertible 1x1 conv, plain and LU: a per-pixel matmul, log-det H W log|det W| (cofactors)",
          "[flows][glow]") {
  for (MatrixParametrization p : {MatrixParametrization::kPlain, MatrixParametrization::kLU}) {
    SECTION(parametrization_name(p)) {
      Generator gen(11);
      Invertible1x1Conv conv(3, p, &gen);
      conv.to(kFloat64);
      {
        NoGradGuard no_grad;  // off the rotation, so that log|det W| != 0
        for (Tensor& t : conv.parameters()) t.add_(0.4 * randn(t.shape(), TensorOptions(kFloat64), &gen));
      }
      const int64_t B = 2, C = 3, H = 2, Wd = 5;  // non-square images
      Tensor x = randn({B, C, H, Wd}, TensorOptions(kFloat64), &gen);
      FlowOutput out = conv.flow(x);
      std::vector<double> w = conv.matrix().weight().detach().contiguous().to_vector<double>();
      std::vector<double> xv = x.to_vector<double>(), expected(xv.size(), 0.0);
      for (int64_t b = 0; b < B; ++b)
        for (int64_t i = 0; i < C; ++i)
          for (int64_t h = 0; h < H; ++h)
            for (int64_t q = 0; q < Wd; ++q)
              for (int64_t j = 0; j < C; ++j)
                expected[((b * C + i) * H + h) * Wd + q] += w[i * C + j] * xv[((b * C + j) * H + h) * Wd + q];
      check_values(out.z, expected, 1e-13, 0);
      const double ld = H * Wd * std::log(std::fabs(det3(w)));
      REQUIRE(out.log_det.shape() == Shape{B});
      check_values(out.log_det, {ld, ld}, 1e-11, 1e-12);
      FlowOutput back = conv.inverse(out.z);
      CHECK(max_abs(back.z - x) < 1e-12);
      check_values(back.log_det, {-ld, -ld}, 1e-11, 1e-12);
    }
  }
}

TEST_CASE("linear flows and the 1x1 conv: gradients of output and log-det by finite differences (float64)",
          "[flows][glow]") {
  for (MatrixParametrization p :
       {MatrixParametrization::kPlain, MatrixParametrization::kLU, MatrixParametrization::kQR}) {
    SECTION(parametrization_name(p)) {
      Generator gen(5);
      auto conv = std::make_shared<Invertible1x1Conv>(3, p, &gen);
      conv->to(kFloat64);
      {
        NoGradGuard no_grad;
        for (Tensor& t : conv->parameters()) t.add_(0.3 * randn(t.shape(), TensorOptions(kFloat64), &gen));
      }
      Tensor x = randn({2, 3, 2, 2}, TensorOptions(kFloat64), &gen).requires_grad_();
      std::vector<Tensor> inputs = conv->parameters();
      inputs.push_back(x);
      for (bool invert : {false, true}) {
        INFO("invert " << invert);
        MultiFunction f = [&](const std::vector<Tensor>& in) {
          FlowOutput o = conv->forward(in.back(), invert);
          return std::vector<Tensor>{o.z, o.log_det};
        };
        REQUIRE_GRADCHECK(f, inputs);
      }
      // The linear flow on vectors, same matrices.
      auto flow = std::make_shared<LinearFlow>(4, p, &gen);
      flow->to(kFloat64);
      {
        NoGradGuard no_grad;
        for (Tensor& t : flow->parameters()) t.add_(0.3 * randn(t.shape(), TensorOptions(kFloat64), &gen));
      }
      Tensor v = randn({3, 4}, TensorOptions(kFloat64), &gen).requires_grad_();
      std::vector<Tensor> flow_inputs = flow->parameters();
      flow_inputs.push_back(v);
      MultiFunction g = [&](const std::vector<Tensor>& in) {
        FlowOutput o = flow->flow(in.back());
        return std::vector<Tensor>{o.z, o.log_det};
      };
      REQUIRE_GRADCHECK(g, flow_inputs);
    }
  }
}

TEST_CASE("linear flow: z = W x per row, log-det log|det W| by cofactors (LU and QR, D = 3)", "[flows][glow]") {
  for (MatrixParametrization p : {MatrixParametrization::kLU, MatrixParametrization::kQR}) {
    SECTION(parametrization_name(p)) {
      Generator gen(2);
      LinearFlow flow(3, p, &gen);
      flow.to(kFloat64);
      {
        NoGradGuard no_grad;
        for (Tensor& t : flow.parameters()) t.add_(0.5 * randn(t.shape(), TensorOptions(kFloat64), &gen));
      }
      Tensor x = randn({4, 3}, TensorOptions(kFloat64), &gen);
      FlowOutput out = flow.flow(x);
      std::vector<double> w = flow.matrix().weight().detach().contiguous().to_vector<double>();
      std::vector<double> xv = x.to_vector<double>(), expected(12, 0.0);
      for (int b = 0; b < 4; ++b)
        for (int i = 0; i < 3; ++i)
          for (int j = 0; j < 3; ++j) expected[b * 3 + i] += w[i * 3 + j] * xv[b * 3 + j];
      check_values(out.z, expected, 1e-13, 0);
      const double ld = std::log(std::fabs(det3(w)));
      check_values(out.log_det, {ld, ld, ld, ld}, 1e-12, 1e-12);
    }
  }
}

TEST_CASE("Glow coupling: z_b = (x_b + t) sigmoid(h + 2); zero last conv gives x_b sigmoid(2)", "[flows][glow]") {
  GlowCoupling c(4, 5);
  c.to(kFloat64);
  Tensor x = dgm::test::uniform_values({2, 4, 3, 2});
  FlowOutput out = c.flow(x);
  // t = 0, s = sigmoid(2) everywhere at init.
  const double s = 1 / (1 + std::exp(-2.0));
  CHECK(max_abs(out.z.narrow(1, 0, 2) - x.narrow(1, 0, 2)) == 0);
  CHECK(max_abs(out.z.narrow(1, 2, 2) - x.narrow(1, 2, 2) * s) < 1e-15);
  const double ld = 2 * 3 * 2 * std::log(s);
  check_values(out.log_det, {ld, ld}, 1e-13, 0);
}

TEST_CASE("multi-scale Glow: decode(encode(y)) == y; log p(y) == log N(eps) + log|det d(eps_1, z_2)/dy|",
          "[flows][glow]") {
  GlowConfig config;
  config.input_shape = {1, 4, 4};
  config.levels = 2;
  config.steps_per_level = 2;
  config.hidden_channels = 4;
  Generator gen(21);
  Glow glow(config, &gen);
  glow.to(kFloat64);
  {
    NoGradGuard no_grad;
    // The first pass initializes every ActNorm; then move all weights (the split prior's too) off their init.
    glow.encode(rand({8, 1, 4, 4}, TensorOptions(kFloat64), &gen));
    for (Tensor& t : glow.parameters()) t.add_(0.2 * randn(t.shape(), TensorOptions(kFloat64), &gen));
  }
  REQUIRE(glow.latent_shapes() == std::vector<std::vector<int64_t>>{{2, 2, 2}, {8, 1, 1}});
  Tensor y = rand({2, 1, 4, 4}, TensorOptions(kFloat64), &gen).requires_grad_();
  Glow::Latents lat = glow.encode(y);
  CHECK(max_abs(glow.decode(lat.z) - y) < 1e-10);
  // The whole map y -> (eps_1, z_2), eps_1 = (z_1 - mean(kept)) / std(kept), z_2 ~ N(0, I):
  // log p(y) = log N(eps_1; 0, I) + log N(z_2; 0, I) + log|det d(eps_1, z_2)/dy|, the Jacobian by autograd.
  REQUIRE(lat.kept.size() == 1);
  Tensor stats = glow.split_priors[0]->forward(lat.kept[0]);
  Tensor eps = (lat.z[0] - stats.narrow(1, 0, 2)) * exp(-stats.narrow(1, 2, 2));
  Tensor z = cat({eps.reshape({2, -1}), lat.z[1].reshape({2, -1})}, 1);
  REQUIRE(z.size(1) == 16);
  std::vector<std::vector<double>> jac(2, std::vector<double>(256));
  for (int64_t i = 0; i < 16; ++i) {
    Tensor row = autograd::grad({z.select(1, i).sum()}, {y}, {}, true)[0].reshape({2, 16});
    for (int b = 0; b < 2; ++b)
      for (int64_t j = 0; j < 16; ++j) jac[b][i * 16 + j] = row.index({b, j}).item();
  }
  // y = dequantize(0, noise) = noise / 256
  Tensor log_p = glow.log_prob(zeros({2, 1, 4, 4}, TensorOptions(kFloat64)), y.detach() * 256.0);
  std::vector<double> zv = z.detach().to_vector<double>();
  for (int b = 0; b < 2; ++b) {
    auto [sign, logabs] = linalg::slogdet(tensor(jac[b], {16, 16}));
    double log_n = 0;
    for (int64_t j = 0; j < 16; ++j) log_n += -0.5 * zv[b * 16 + j] * zv[b * 16 + j] - 0.5 * std::log(2 * M_PI);
    CHECK(log_p.index({b}).item() == Approx(log_n + logabs.item()).epsilon(1e-9));
  }
}

TEST_CASE("Glow loss: loss = -mean log p(y), bits_per_dim = loss / (D ln 2) + 8", "[flows][glow]") {
  GlowConfig config;
  config.input_shape = {1, 4, 4};
  config.levels = 1;
  config.steps_per_level = 1;
  config.hidden_channels = 4;
  Glow glow(config);
  glow.to(kFloat64);
  Tensor x = floor(dgm::test::uniform_values({3, 1, 4, 4}, 0, 256)) / 255.0;
  manual_seed(5);
  auto losses = glow.loss(x);
  manual_seed(5);
  const double nll = -glow.log_prob(x).mean().item();
  CHECK(losses.at("loss").item() == Approx(nll).epsilon(1e-12));
  CHECK(losses.at("bits_per_dim").item() == Approx(nll / (16 * std::log(2.0)) + 8).epsilon(1e-12));
  Tensor s = glow.sample(4);
  REQUIRE(s.shape() == Shape{4, 1, 4, 4});
  // Samples are back on the 256 levels k / 255.
  CHECK(max_abs(s * 255.0 - round(s * 255.0)) < 1e-9);
}

TEST_CASE("linear flows and Glow: errors name the layer and the shapes or options", "[flows][glow]") {
  CHECK_THROWS_WITH(GlowCoupling(3, 8), Catch::Contains("GlowCoupling: expected an even number of channels >= 2") &&
                                            Catch::Contains("got 3"));
  CHECK_THROWS_WITH(GlowCoupling(0, 8), Catch::Contains("got 0"));
  GlowCoupling coupling(4, 8);
  CHECK_THROWS_WITH(coupling.flow(zeros({2, 6, 3, 3})),
                    Catch::Contains("GlowCoupling: expected (B,4,H,W), got (2,6,3,3)"));
  Invertible1x1Conv conv(4);
  CHECK_THROWS_WITH(conv.flow(zeros({2, 4, 3})), Catch::Contains("Invertible1x1Conv: expected (B,4,H,W), got (2,4,3)"));
  CHECK_THROWS_WITH(conv.inverse(zeros({2, 3, 2, 2})),
                    Catch::Contains("Invertible1x1Conv: expected (B,4,H,W), got (2,3,2,2)"));
  LinearFlow flow(4, MatrixParametrization::kQR);
  CHECK_THROWS_WITH(flow.flow(zeros({2, 5})), Catch::Contains("LinearFlow: expected (B,4), got (2,5)"));
  CHECK_THROWS_WITH(LinearFlow(0), Catch::Contains("LinearFlow: expected dim >= 1, got 0"));
  CHECK_THROWS_WITH(lu_decompose(zeros({2, 3}, TensorOptions(kFloat64))),
                    Catch::Contains("lu_decompose: expected a square matrix, got (2,3)"));
  CHECK_THROWS_WITH(lu_decompose(zeros({2, 2}, TensorOptions(kFloat64))),
                    Catch::Contains("lu_decompose: the matrix is singular"));
  CHECK_THROWS_WITH(householder_product(tensor(std::vector<double>{1, 0, 0, 0}, {2, 2})),
                    Catch::Contains("householder_product: a reflection vector is zero"));
  GlowConfig config;
  config.levels = 3;  // (1,28,28) -> (4,14,14) -> split, (8,7,7) -> split, (4,7,7): a third squeeze needs an even size
  CHECK_THROWS_WITH(Glow(config),
                    Catch::Contains("Glow: level 3 of 3 squeezes a (4,7,7) tensor") && Catch::Contains("(1,28,28)"));
  config.levels = 2;
  Glow glow(config);
  CHECK_THROWS_WITH(glow.loss(zeros({2, 1, 32, 32})), Catch::Contains("Glow.log_prob: expected images (B,1,28,28)"));
  CHECK_THROWS_WITH(glow.decode({zeros({2, 2, 14, 14})}), Catch::Contains("Glow.decode: expected 2 latents, got 1"));
  CHECK_THROWS_WITH(glow.decode({zeros({2, 2, 14, 14}), zeros({2, 8, 7, 6})}),
                    Catch::Contains("Glow.decode: latent 2 should be (2,8,7,7), got (2,8,7,6)"));
  CHECK_THROWS_WITH(glow.sample_with_temperature(2, 0.0), Catch::Contains("expected a temperature > 0, got 0"));
}
