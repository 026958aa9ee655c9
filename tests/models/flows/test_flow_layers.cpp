// The generic test every flow layer of models/flows/ goes through (the cases
// of models/flows/layer_catalog.h), in float64 on small inputs:
//   * inverse(forward(x)) == x and forward(inverse(z)) == z;
//   * the forward log-det, summed per example, equals log|det J_f(x)| with the
//     Jacobian J computed row by row by autograd and its determinant by an LU
//     decomposition with partial pivoting written here (independent of dgm's linalg, tests/helpers.h);
//   * the inverse's log-det at z = f(x) equals minus the forward log-det at x.
#include <catch2/catch.hpp>
#include <cmath>
#include <set>

#include "../../helpers.h"
#include "dgm.h"
#include "models/flows/layer_catalog.h"

using namespace dgm;
using namespace dgm::models::flows;

namespace {

Tensor inputs_of(const FlowLayerCase& c, int64_t batch, Generator& gen) {
  if (c.input) return c.input(batch, gen);
  Shape shape{batch};
  for (int64_t d : c.event_shape) shape.push_back(d);
  return randn(shape, TensorOptions(kFloat64), &gen);
}

double max_abs_diff(const Tensor& a, const Tensor& b) { return (a - b).abs().max().item(); }

}  // namespace

TEST_CASE("every flow layer: inverse(forward(x)) == x and the log-det is log|det J| (float64)", "[flows]") {
  const std::vector<FlowLayerCase> cases = flow_layer_cases();
  REQUIRE(!cases.empty());
  for (const FlowLayerCase& c : cases) {
    SECTION(c.name) {
      Generator gen(1234);
      std::shared_ptr<FlowLayer> layer = c.make(gen);
      layer->eval();
      const int64_t batch = 3;
      Tensor x = inputs_of(c, batch, gen);
      REQUIRE(x.dtype() == kFloat64);
      int64_t dim = 1;
      for (int64_t d : c.event_shape) dim *= d;
      REQUIRE(x.numel() == batch * dim);

      // Round trips.
      FlowOutput fwd;
      {
        NoGradGuard no_grad;
        fwd = layer->flow(x);
        REQUIRE(fwd.z.numel() == x.numel());  // a squeeze changes the shape, not the size
        FlowOutput back = layer->inverse(fwd.z);
        INFO(c.name << ": |inverse(forward(x)) - x|");
        REQUIRE(back.z.shape() == x.shape());
        CHECK(max_abs_diff(back.z, x) < 1e-9);
        // The inverse's log-det at z = f(x) is minus the forward one at x.
        Tensor fwd_ld = log_det_per_example(fwd.log_det), inv_ld = log_det_per_example(back.log_det);
        REQUIRE(fwd_ld.shape() == Shape{batch});
        REQUIRE(inv_ld.shape() == Shape{batch});
        INFO(c.name << ": inverse log-det + forward log-det");
        CHECK(max_abs_diff(inv_ld, -fwd_ld) < 1e-9);
        FlowOutput again = layer->flow(back.z);
        CHECK(max_abs_diff(again.z, fwd.z) < 1e-9);
      }

      // The log-det against the Jacobian: row i of J_b is d z_b[i] / d x_b.
      Tensor xg = x.detach().requires_grad_();
      FlowOutput out = layer->flow(xg);
      Tensor z = out.z.reshape({batch, dim});
      std::vector<std::vector<double>> jac(batch, std::vector<double>(dim * dim));
      for (int64_t i = 0; i < dim; ++i) {
        Tensor row = autograd::grad({z.select(1, i).sum()}, {xg}, {}, /*retain_graph=*/true)[0];
        std::vector<double> r = row.reshape({batch, dim}).to_vector<double>();
        for (int64_t b = 0; b < batch; ++b)
          for (int64_t j = 0; j < dim; ++j) jac[b][i * dim + j] = r[b * dim + j];
      }
      std::vector<double> ld = log_det_per_example(out.log_det).detach().to_vector<double>();
      for (int64_t b = 0; b < batch; ++b) {
        const double expected = dgm::test::log_abs_det(jac[b], dim);
        INFO(c.name << " example " << b << ": log-det " << ld[b] << ", log|det J| " << expected);
        CHECK(std::fabs(ld[b] - expected) <= 1e-8 * (1 + std::fabs(expected)));
      }
    }
  }
}

TEST_CASE("the flow layer catalog covers every group of models/flows/", "[flows]") {
  // A group whose cases are missing would pass the generic test vacuously.
  CHECK(!planar_layer_cases().empty());
  CHECK(!realnvp_layer_cases().empty());
  CHECK(!glow_layer_cases().empty());
  CHECK(!autoregressive_layer_cases().empty());
  CHECK(!vit_layer_cases().empty());
  std::set<std::string> names;
  for (const FlowLayerCase& c : flow_layer_cases()) {
    INFO(c.name);
    CHECK(names.insert(c.name).second);
  }
}
