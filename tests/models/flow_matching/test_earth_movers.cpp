// The exact assignment / earth mover's solver of models/flow_matching/earth_movers.h: against brute force over all
// permutations (B <= 7), against SciPy's linear_sum_assignment (assignment_reference.h, by
// make_assignment_reference.py; ctest reruns it with --check), and by LP duality at B = 128 and 256: feasible duals
// (u_i + v_j <= M_ij) that are tight on the assignment prove it optimal whatever computed them.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>
#include <set>

#include "dgm.h"
#include "models/flow_matching/earth_movers.h"
#include "tests/models/flow_matching/assignment_costs.h"
#include "tests/models/flow_matching/assignment_reference.h"

using namespace dgm;
using namespace dgm::models::flow_matching;

namespace {

Tensor square(const std::vector<double>& m, int64_t b) { return tensor(m, {b, b}); }

bool is_permutation_of(const std::vector<int64_t>& p, int64_t b) {
  std::vector<int64_t> sorted = p;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> identity(b);
  std::iota(identity.begin(), identity.end(), 0);
  return sorted == identity;
}

double brute_force_optimum(const std::vector<double>& m, int64_t b) {
  std::vector<int64_t> p(b);
  std::iota(p.begin(), p.end(), 0);
  double best = INFINITY;
  do {
    double c = 0;
    for (int64_t i = 0; i < b; ++i) c += m[i * b + p[i]];
    best = std::min(best, c);
  } while (std::next_permutation(p.begin(), p.end()));
  return best;
}

// Dual feasibility and complementary slackness, with a rounding allowance scaled to the costs' size.
void check_certificate(const Assignment& a, const std::vector<double>& m, int64_t b) {
  const double scale = std::max(1.0, *std::max_element(m.begin(), m.end()));
  const double tol = 1e-9 * scale;
  double worst_violation = 0, worst_slack = 0;
  for (int64_t i = 0; i < b; ++i)
    for (int64_t j = 0; j < b; ++j) {
      const double reduced = m[i * b + j] - a.u[i] - a.v[j];
      worst_violation = std::max(worst_violation, -reduced);
      if (a.col_of_row[i] == j) worst_slack = std::max(worst_slack, std::abs(reduced));
    }
  CHECK(worst_violation <= tol);
  CHECK(worst_slack <= tol);
  const double dual = std::accumulate(a.u.begin(), a.u.end(), 0.0) + std::accumulate(a.v.begin(), a.v.end(), 0.0);
  CHECK(std::abs(dual - a.cost) <= tol * static_cast<double>(b));
}

}  // namespace

TEST_CASE("linear_sum_assignment matches brute force over every permutation", "[flow_matching][emd]") {
  for (int64_t b = 1; b <= 7; ++b)
    for (uint64_t seed : {11u, 12u, 13u}) {
      for (const char* kind : {"uniform", "integer"}) {
        std::vector<double> m = test::assignment_costs(kind, b, 0, seed * 100 + b);
        if (seed == 13u)
          for (auto& c : m) c -= 0.5;  // negative costs are allowed
        const Assignment a = linear_sum_assignment(square(m, b));
        REQUIRE(is_permutation_of(a.col_of_row, b));
        double recomputed = 0;
        for (int64_t i = 0; i < b; ++i) recomputed += m[i * b + a.col_of_row[i]];
        CHECK(a.cost == Approx(recomputed).epsilon(1e-12).margin(1e-12));
        CHECK(a.cost == Approx(brute_force_optimum(m, b)).epsilon(1e-12).margin(1e-12));
        check_certificate(a, m, b);
      }
    }
}

TEST_CASE("linear_sum_assignment reaches SciPy's optimum, with an optimality certificate at B = 128 and 256",
          "[flow_matching][emd]") {
  for (const auto& c : test::assignment_reference_cases) {
    INFO(c.name);
    const std::vector<double> m = test::assignment_costs(c.kind, c.b, c.dim, c.seed);
    const Assignment a = linear_sum_assignment(square(m, c.b));
    REQUIRE(is_permutation_of(a.col_of_row, c.b));
    CHECK(a.cost == Approx(c.optimal_cost).epsilon(1e-10).margin(1e-10));
    check_certificate(a, m, c.b);
  }
}

TEST_CASE("linear_sum_assignment of a permuted diagonal recovers the permutation; float32 and strided costs",
          "[flow_matching][emd]") {
  // M_ij = 0 where j = sigma(i), 1 elsewhere: the unique optimum is sigma.
  const std::vector<int64_t> sigma = {3, 0, 4, 1, 2};
  std::vector<double> m(25, 1.0);
  for (int64_t i = 0; i < 5; ++i) m[i * 5 + sigma[i]] = 0.0;
  CHECK(linear_sum_assignment(square(m, 5)).col_of_row == sigma);
  CHECK(linear_sum_assignment(square(m, 5).to(kFloat32)).col_of_row == sigma);
  // The transpose (a strided view) is solved by the inverse permutation.
  std::vector<int64_t> inverse(5);
  for (int64_t i = 0; i < 5; ++i) inverse[sigma[i]] = i;
  Tensor t = square(m, 5).transpose(0, 1);
  REQUIRE_FALSE(t.is_contiguous());
  CHECK(linear_sum_assignment(t).col_of_row == inverse);
}

TEST_CASE("emd_uniform is the permutation plan divided by B, with uniform marginals", "[flow_matching][emd]") {
  const int64_t b = 9;
  const std::vector<double> m = test::assignment_costs("uniform", b, 0, 77);
  const Assignment a = linear_sum_assignment(square(m, b));
  Tensor plan = emd_uniform(square(m, b));
  REQUIRE(plan.shape() == Shape{b, b});
  const double* p = plan.data_ptr<double>();
  for (int64_t i = 0; i < b; ++i) {
    double row = 0, col = 0;
    for (int64_t j = 0; j < b; ++j) {
      row += p[i * b + j];
      col += p[j * b + i];
      CHECK(p[i * b + j] == (a.col_of_row[i] == j ? 1.0 / b : 0.0));
    }
    CHECK(row == Approx(1.0 / b));
    CHECK(col == Approx(1.0 / b));
  }
}

TEST_CASE("squared_euclidean_costs flattens the examples and matches the direct sum", "[flow_matching][emd]") {
  manual_seed(5);
  Tensor x0 = randn({4, 1, 3, 2}, kFloat64), x1 = randn({4, 1, 3, 2}, kFloat64);
  Tensor costs = squared_euclidean_costs(x0, x1);
  REQUIRE(costs.shape() == Shape{4, 4});
  Tensor a = x0.reshape({4, 6}).contiguous(), c = x1.reshape({4, 6}).contiguous();
  for (int64_t i = 0; i < 4; ++i)
    for (int64_t j = 0; j < 4; ++j) {
      double direct = 0;
      for (int64_t k = 0; k < 6; ++k) {
        const double d = a.data_ptr<double>()[i * 6 + k] - c.data_ptr<double>()[j * 6 + k];
        direct += d * d;
      }
      CHECK(costs.contiguous().data_ptr<double>()[i * 4 + j] == Approx(direct).epsilon(1e-12));
    }
}

TEST_CASE("the assignment solver names the problem with bad input", "[flow_matching][emd]") {
  CHECK_THROWS_WITH(linear_sum_assignment(zeros({3, 4}, kFloat64)),
                    Catch::Contains("linear_sum_assignment") && Catch::Contains("(3,4)"));
  CHECK_THROWS_WITH(linear_sum_assignment(zeros({3, 3}, kInt64)), Catch::Contains("int64"));
  std::vector<double> m(4, 1.0);
  m[2] = NAN;
  CHECK_THROWS_WITH(linear_sum_assignment(square(m, 2)), Catch::Contains("non-finite") && Catch::Contains("(1, 0)"));
  CHECK_THROWS_WITH(squared_euclidean_costs(zeros({3, 2}), zeros({4, 2})),
                    Catch::Contains("squared_euclidean_costs") && Catch::Contains("(3,2)") && Catch::Contains("(4,2)"));
  CHECK(linear_sum_assignment(zeros({0, 0}, kFloat64)).col_of_row.empty());
}
