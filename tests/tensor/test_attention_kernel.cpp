// The fused attention kernel (tensor/kernels/attention.h) against a plain
// float64 loop that holds the whole score matrix: out and the rows'
// log-sum-exp, causal or with a mask, sizes around the block of 64 and tiles
// skipped whole; the backward against the loop's gradients; the operand checks.
#include <cmath>
#include <limits>

#include "tensor/kernels/attention.h"
#include "tests/helpers.h"

using namespace dgm;
using test::uniform_values;

namespace {

const double kInf = std::numeric_limits<double>::infinity();

struct Reference {
  std::vector<double> out, lse, dq, dk, dv;
};

// One head, by the definitions: s = scale q k^T + mask, p = softmax(s), out = p v; with g = dL/dout,
// dv = p^T g, dp = g v^T, ds_ij = p_ij (dp_ij - sum_l p_il dp_il), dq = scale ds k, dk = scale ds^T q.
Reference reference(const std::vector<double>& q, const std::vector<double>& k, const std::vector<double>& v,
                    const std::vector<double>& g, const std::vector<double>& mask, bool causal, int64_t L, int64_t S,
                    int64_t E, int64_t Ev, double scale) {
  std::vector<double> p(L * S);
  Reference r{std::vector<double>(L * Ev), std::vector<double>(L), std::vector<double>(L * E),
              std::vector<double>(S * E), std::vector<double>(S * Ev)};
  for (int64_t i = 0; i < L; ++i) {
    double mx = -kInf;
    for (int64_t j = 0; j < S; ++j) {
      double s = 0;
      for (int64_t e = 0; e < E; ++e) s += q[i * E + e] * k[j * E + e];
      s = s * scale + (mask.empty() ? 0.0 : mask[i * S + j]);
      if (causal && j > i) s = -kInf;
      p[i * S + j] = s;
      mx = std::max(mx, s);
    }
    double sum = 0;
    for (int64_t j = 0; j < S; ++j) sum += std::exp(p[i * S + j] - mx);
    r.lse[i] = mx + std::log(sum);
    for (int64_t j = 0; j < S; ++j) p[i * S + j] = std::exp(p[i * S + j] - r.lse[i]);
    for (int64_t j = 0; j < S; ++j)
      for (int64_t e = 0; e < Ev; ++e) r.out[i * Ev + e] += p[i * S + j] * v[j * Ev + e];
  }
  for (int64_t i = 0; i < L; ++i) {
    std::vector<double> dp(S);
    double dot = 0;
    for (int64_t j = 0; j < S; ++j) {
      for (int64_t e = 0; e < Ev; ++e) dp[j] += g[i * Ev + e] * v[j * Ev + e];
      dot += p[i * S + j] * dp[j];
    }
    for (int64_t j = 0; j < S; ++j) {
      const double pij = p[i * S + j], ds = pij * (dp[j] - dot) * scale;
      for (int64_t e = 0; e < Ev; ++e) r.dv[j * Ev + e] += pij * g[i * Ev + e];
      for (int64_t e = 0; e < E; ++e) {
        r.dq[i * E + e] += ds * k[j * E + e];
        r.dk[j * E + e] += ds * q[i * E + e];
      }
    }
  }
  return r;
}

}  // namespace

TEST_CASE("attention kernel: out, lse and gradients against a float64 loop", "[tensor][attention]") {
  struct Case {
    int64_t L, S, E, Ev;
  };
  for (Case c : {Case{1, 1, 1, 1}, Case{7, 65, 3, 5}, Case{130, 7, 16, 1}, Case{65, 130, 64, 3}}) {
    for (int mode = 0; mode < 3; ++mode) {  // 0 plain, 1 causal, 2 mask: -inf on the first 64 keys past query 64
      INFO("L " << c.L << " S " << c.S << " E " << c.E << " Ev " << c.Ev << " mode " << mode);
      const int64_t heads = 3;
      const double scale = 0.7;
      Tensor q = uniform_values({heads, c.L, c.E}, -2, 2, 1), k = uniform_values({heads, c.S, c.E}, -2, 2, 2);
      Tensor v = uniform_values({heads, c.S, c.Ev}, -1, 1, 3), g = uniform_values({heads, c.L, c.Ev}, -1, 1, 4);
      Tensor mask;
      if (mode == 2) {
        mask = uniform_values({c.L, c.S}, -1, 1, 5);
        if (c.L > 64 && c.S > 64) mask.slice(0, 64, c.L).slice(1, 0, 64).fill_(-kInf);  // a whole tile masked
      }
      const bool causal = mode == 1;
      kernels::AttentionForward f = kernels::attention_forward(q, k, v, mask, causal, scale);
      kernels::AttentionBackward b = kernels::attention_backward(g, q, k, v, f.out, f.lse, mask, causal, scale);
      for (int64_t h = 0; h < heads; ++h) {
        INFO("head " << h);
        const std::vector<double> m = mask.defined() ? mask.to_vector<double>() : std::vector<double>();
        Reference r = reference(q.select(0, h).to_vector<double>(), k.select(0, h).to_vector<double>(),
                                v.select(0, h).to_vector<double>(), g.select(0, h).to_vector<double>(), m, causal, c.L,
                                c.S, c.E, c.Ev, scale);
        test::check_values(f.out.select(0, h), r.out, 1e-12, 1e-12);
        test::check_values(f.lse.select(0, h), r.lse, 1e-12, 1e-12);
        test::check_values(b.dq.select(0, h), r.dq, 1e-12, 1e-12);
        test::check_values(b.dk.select(0, h), r.dk, 1e-12, 1e-12);
        test::check_values(b.dv.select(0, h), r.dv, 1e-12, 1e-12);
      }
    }
  }
}

TEST_CASE("attention kernel: the operands are checked", "[tensor][attention]") {
  Tensor q = uniform_values({2, 4, 3}), k = uniform_values({2, 5, 3}), v = uniform_values({2, 5, 2});
  CHECK_THROWS_WITH(kernels::attention_forward(q, k.mT(), v, Tensor(), false, 1.0),
                    Catch::Contains("attention_forward kernel: expected a contiguous key, got shape (2,3,5)"));
  CHECK_THROWS_WITH(kernels::attention_forward(q, uniform_values({2, 5, 4}), v, Tensor(), false, 1.0),
                    Catch::Contains("attention_forward kernel: shapes query (2,4,3), key (2,5,4), value (2,5,2) do "
                                    "not fit"));
  CHECK_THROWS_WITH(kernels::attention_forward(q, uniform_values({3, 5, 3}), v, Tensor(), false, 1.0),
                    Catch::Contains("do not fit"));
  CHECK_THROWS_WITH(kernels::attention_forward(q.to(kFloat32), k, v, Tensor(), false, 1.0),
                    Catch::Contains("attention_forward kernel: key is float64 but query is float32"));
  CHECK_THROWS_WITH(kernels::attention_forward(q.to(kInt64), k.to(kInt64), v.to(kInt64), Tensor(), false, 1.0),
                    Catch::Contains("attention_forward kernel: expected a float32 or float64 query, got int64"));
  CHECK_THROWS_WITH(kernels::attention_forward(q, k, v, uniform_values({5, 4}), false, 1.0),
                    Catch::Contains("attention_forward: expected mask of shape (4,5), got (5,4)"));
  kernels::AttentionForward f = kernels::attention_forward(q, k, v, Tensor(), false, 1.0);
  CHECK_THROWS_WITH(kernels::attention_backward(uniform_values({2, 4, 3}), q, k, v, f.out, f.lse, Tensor(), false, 1.0),
                    Catch::Contains("attention_backward: expected grad_output of shape (2,4,2), got (2,4,3)"));
}
