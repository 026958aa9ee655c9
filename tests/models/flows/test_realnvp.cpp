// RealNVP's given pieces and models beyond the homework's tests: dequantize,
// the squeeze's element order, the sampler's quantization, bad input, the
// variational dequantizer's log q against an autograd Jacobian.
#include <catch2/catch.hpp>
#include <cmath>

#include "../../helpers.h"
#include "dgm.h"
#include "models/flows/actnorm.h"
#include "models/flows/dequantize.h"
#include "models/flows/realnvp.h"
#include "models/flows/squeeze.h"
#include "models/flows/variational_dequantization.h"

using namespace dgm;
using namespace dgm::models::flows;

TEST_CASE("dequantize: bin k of nbins goes to [k/nbins, (k+1)/nbins), monotone in x", "[flows][realnvp]") {
  // The course's check: x = (0,1,2,3)/255 with nbins 256 lands in [0, 4/256] and stays increasing.
  Tensor x = tensor(std::vector<double>{0, 1, 2, 3}, {4}) / 255.0;
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<double> y = dequantize(x, 256).to_vector<double>();
    for (int k = 0; k < 4; ++k) {
      CHECK(y[k] >= k / 256.0 - 1e-12);
      CHECK(y[k] < (k + 1) / 256.0 + 1e-12);
      if (k > 0) CHECK(y[k] > y[k - 1]);
    }
  }
  // With the noise given: (x (nbins - 1) + u) / nbins exactly.
  Tensor u = tensor(std::vector<double>{0, 0.5, 0.25, 0.999}, {4});
  dgm::test::check_values(dequantize(x, 256, u), {0, 1.5 / 256, 2.25 / 256, 3.999 / 256}, 1e-12, 1e-12);
  CHECK_THROWS_WITH(dequantize(x, 1), Catch::Contains("nbins must be >= 2"));
  CHECK_THROWS_WITH(dequantize(x, 256, zeros({3})), Catch::Contains("noise of shape (3)"));
}

TEST_CASE("squeeze: output channel 4c + 2a + b holds pixel (2i + a, 2j + b) of channel c; undo inverts",
          "[flows][realnvp]") {
  Tensor x = arange(2 * 2 * 4 * 6, TensorOptions(kFloat64)).reshape({2, 2, 4, 6});
  Tensor s = squeeze2x2(x);
  REQUIRE(s.shape() == Shape{2, 8, 2, 3});
  std::vector<double> xv = x.to_vector<double>(), sv = s.to_vector<double>();
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t c = 0; c < 2; ++c)
      for (int64_t a = 0; a < 2; ++a)
        for (int64_t b = 0; b < 2; ++b)
          for (int64_t i = 0; i < 2; ++i)
            for (int64_t j = 0; j < 3; ++j)
              REQUIRE(sv[((n * 8 + 4 * c + 2 * a + b) * 2 + i) * 3 + j] ==
                      xv[((n * 2 + c) * 4 + 2 * i + a) * 6 + 2 * j + b]);
  CHECK(undo_squeeze2x2(s).to_vector<double>() == xv);
  CHECK_THROWS_WITH(squeeze2x2(zeros({1, 1, 3, 4})), Catch::Contains("even H and W") && Catch::Contains("(1,1,3,4)"));
}

TEST_CASE("RealNVP samples are quantized to {0, 1/(nbins-1), ..., 1}; bad shapes are errors", "[flows][realnvp]") {
  manual_seed(11);
  for (int64_t nbins : {2, 4}) {
    RealNVP model({4, 4}, 1, 4, 1, nbins);
    model.log_prob(rand({8, 1, 4, 4}));  // initializes the ActNorms
    Tensor s = model.sample(16);
    REQUIRE(s.shape() == Shape{16, 1, 4, 4});
    for (double v : s.to_vector<double>()) {
      INFO("value " << v << ", nbins " << nbins);
      const double k = v * (nbins - 1);
      CHECK(std::fabs(k - std::round(k)) < 1e-5);
      CHECK(v >= 0);
      CHECK(v <= 1);
    }
  }
  RealNVP model({4, 4}, 1, 4, 1, 2);
  CHECK_THROWS_WITH(model.log_prob(zeros({2, 1, 4, 6})), Catch::Contains("RealNVP: expected (B,1,4,4), got (2,1,4,6)"));
  CHECK_THROWS_WITH(RealNVP({5, 4}, 1, 4, 1, 2), Catch::Contains("even H, W"));
  CHECK_THROWS_WITH(RealNVP({4, 4}, 1, 4, 1, 1), Catch::Contains("nbins must be >= 2"));
}

TEST_CASE("RealNVP's loss reports bits/dim = (nll + D ln nbins) / (D ln 2)", "[flows][realnvp]") {
  manual_seed(12);
  RealNVP model({4, 4}, 1, 4, 1, 256);
  Tensor x = floor(rand({6, 1, 4, 4}) * 256.0) / 255.0;
  models::Losses l = model.loss(x);
  const double nll = l.at("nll_loss").item();
  CHECK(std::fabs(l.at("bits_per_dim").item() - (nll + 16 * std::log(256.0)) / (16 * std::log(2.0))) < 1e-4);
}

TEST_CASE("variational dequantization: u in (0,1) and log q(u|x) = log N(eps) - log|det du/deps| (autograd, float64)",
          "[flows][realnvp]") {
  manual_seed(13);
  VariationalDequantizer deq({2, 2}, 1, 4, 1, 2);
  deq.to(kFloat64);
  {
    NoGradGuard no_grad;
    for (auto& [name, p] : deq.named_parameters())
      if (name.find("scale") != std::string::npos) p.uniform_(-0.8, 0.8);
  }
  Tensor x = floor(rand({1, 1, 2, 2}, TensorOptions(kFloat64)) * 256.0) / 255.0;
  Tensor eps = randn({1, 1, 2, 2}, TensorOptions(kFloat64)).requires_grad_();
  VariationalDequantizer::Draw d = deq.transform(x, eps);
  std::vector<double> u = d.u.detach().to_vector<double>();
  for (double v : u) CHECK((v > 0 && v < 1));
  Tensor uf = d.u.reshape({4});
  std::vector<double> jac(16);
  for (int64_t i = 0; i < 4; ++i) {
    std::vector<double> row = autograd::grad({uf.select(0, i)}, {eps}, {}, true)[0].to_vector<double>();
    for (int64_t j = 0; j < 4; ++j) jac[i * 4 + j] = row[j];
  }
  // log|det J| by Gaussian elimination (tests/helpers.h), independent of dgm's linalg
  const double log_det = dgm::test::log_abs_det(jac, 4);
  double log_n = 0;
  for (double e : eps.detach().to_vector<double>()) log_n += -0.5 * e * e - 0.5 * std::log(2 * M_PI);
  CHECK(std::fabs(d.log_q.item() - (log_n - log_det)) < 1e-9);
}

TEST_CASE("RealNVP inverts itself: forward then inverse gives x back and the log-dets cancel (float64)",
          "[flows][realnvp]") {
  manual_seed(14);
  RealNVP model({4, 6}, 1, 4, 1, 256);
  model.to(kFloat64);
  model.preprocess->dequantize = false;                         // x itself, continuous in (0, 1)
  model.log_prob(rand({8, 1, 4, 6}, TensorOptions(kFloat64)));  // initializes the ActNorms
  {
    NoGradGuard no_grad;
    for (auto& [name, p] : model.named_parameters())
      if (name.find("scale") != std::string::npos) p.uniform_(-0.8, 0.8);
  }
  NoGradGuard no_grad;
  Tensor x = rand({3, 1, 4, 6}, TensorOptions(kFloat64)) * 0.98 + 0.01;
  FlowOutput fwd = model.forward(x, false);
  FlowOutput back = model.forward(fwd.z, true);
  CHECK((back.z - x).abs().max().item() < 1e-9);
  // per pixel: the inverse's log-det is minus the forward one, so their per-image sums cancel
  CHECK((log_det_per_example(back.log_det) + log_det_per_example(fwd.log_det)).abs().max().item() < 1e-9);
}

TEST_CASE("ActNorm: a channel constant over the initialization batch is an error, not an infinite scale",
          "[flows][realnvp]") {
  ActNorm norm(2);
  Tensor x = randn({4, 2, 3, 3});
  x.narrow(1, 1, 1).fill_(0.5);
  CHECK_THROWS_WITH(norm.flow(x), Catch::Contains("ActNorm: a channel is constant") && Catch::Contains("(4,2,3,3)"));
  CHECK_FALSE(norm.initialized());
}
