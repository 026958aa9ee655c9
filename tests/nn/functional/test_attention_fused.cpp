// The CPU's fused scaled_dot_product_attention (tensor/kernels/attention.h
// through nn/functional/attention_fused.h) against the composite
// (scaled_dot_product_attention_with_weights: matmul, mask, softmax, matmul):
// values and all three gradients in float64 for awkward sizes (around the
// block of 64), causal and not, with an (L, S) float mask, non-contiguous
// operands; float32 against the float64 result; finite differences; second
// derivatives through create_graph; a row with every key masked; the
// MultiheadAttention paths.
#include <cmath>
#include <cstring>
#include <limits>

#include <set>

#include "nn/functional/attention_fused.h"
#include "tensor/environment.h"
#include "tests/helpers.h"

using namespace dgm;
using test::leaf;
using test::uniform_values;
using V = std::vector<Tensor>;

namespace {

const double kInf = std::numeric_limits<double>::infinity();

bool fused(const Tensor& y) {
  return y.grad_fn() && std::strcmp(y.grad_fn()->name, "scaled_dot_product_attention") == 0;
}

// Whether an op named `name` made y or anything y was computed from.
bool graph_has(const Tensor& y, const char* name) {
  std::vector<std::shared_ptr<autograd::Node>> todo{y.grad_fn()};
  std::set<autograd::Node*> seen;
  while (!todo.empty()) {
    std::shared_ptr<autograd::Node> n = todo.back();
    todo.pop_back();
    if (!n || !seen.insert(n.get()).second) continue;
    if (std::strcmp(n->name, name) == 0) return true;
    for (const autograd::Edge& e : n->inputs) todo.push_back(e.node);
  }
  return false;
}

Tensor composite(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask, bool causal) {
  return std::get<0>(nn::functional::scaled_dot_product_attention_with_weights(q, k, v, mask, 0.0, causal));
}

// A float mask (L, S) with some -inf entries (never a whole row) and finite offsets.
Tensor float_mask(int64_t L, int64_t S, DType dt, uint64_t seed) {
  Tensor m = uniform_values({L, S}, -1, 1, seed);
  Tensor drop = uniform_values({L, S}, 0, 1, seed + 1) > 0.7;
  drop.slice(1, 0, 1).fill_(0.0);  // key 0 always allowed
  return m.masked_fill(drop, -kInf).to(dt);
}

// Forward and the three gradients of the fused path against the composite on the same inputs.
void check_against_composite(const Tensor& q0, const Tensor& k0, const Tensor& v0, const Tensor& mask, bool causal,
                             double tol) {
  V in_f{q0.detach().requires_grad_(true), k0.detach().requires_grad_(true), v0.detach().requires_grad_(true)};
  V in_c{q0.detach().requires_grad_(true), k0.detach().requires_grad_(true), v0.detach().requires_grad_(true)};
  Tensor yf = scaled_dot_product_attention(in_f[0], in_f[1], in_f[2], mask, 0.0, causal);
  Tensor yc = composite(in_c[0], in_c[1], in_c[2], mask, causal);
  REQUIRE(fused(yf));
  REQUIRE(yf.shape() == yc.shape());
  test::check_values(yf, yc.to_vector<double>(), tol, tol);
  V gf = autograd::grad({test::wsum(yf)}, in_f), gc = autograd::grad({test::wsum(yc)}, in_c);
  for (size_t i = 0; i < 3; ++i) {
    INFO("gradient " << i);
    test::check_values(gf[i], gc[i].to_vector<double>(), tol, tol);
  }
}

}  // namespace

TEST_CASE("fused attention matches the composite: sizes around the block, causal, float mask", "[nn][attention]") {
  struct Case {
    int64_t L, S, E, Ev;
  };
  for (Case c : {Case{1, 1, 1, 1}, Case{7, 7, 3, 3}, Case{65, 130, 16, 3}, Case{130, 65, 64, 16}, Case{7, 65, 1, 64},
                 Case{130, 130, 16, 16}}) {
    for (int mode = 0; mode < 3; ++mode) {  // 0 plain, 1 causal, 2 float mask
      INFO("L " << c.L << " S " << c.S << " E " << c.E << " Ev " << c.Ev << " mode " << mode);
      Tensor q = uniform_values({2, c.L, c.E}, -2, 2, 1).to(kFloat64);
      Tensor k = uniform_values({2, c.S, c.E}, -2, 2, 2).to(kFloat64);
      Tensor v = uniform_values({2, c.S, c.Ev}, -1, 1, 3).to(kFloat64);
      Tensor mask = mode == 2 ? float_mask(c.L, c.S, kFloat64, 4) : Tensor();
      check_against_composite(q, k, v, mask, mode == 1, 1e-12);
    }
  }
}

TEST_CASE("fused attention: several batch dims, non-contiguous operands, float32", "[nn][attention]") {
  // (2, 3) batch dims; q, k, v transposed views of (L, 2, 3, E) tensors
  Tensor q = uniform_values({65, 2, 3, 16}, -1, 1, 5).to(kFloat64).permute({1, 2, 0, 3});
  Tensor k = uniform_values({2, 3, 16, 70}, -1, 1, 6).to(kFloat64).mT();
  Tensor v = uniform_values({70, 2, 3, 8}, -1, 1, 7).to(kFloat64).permute({1, 2, 0, 3});
  REQUIRE(!q.is_contiguous());
  REQUIRE(!k.is_contiguous());
  for (bool causal : {false, true}) check_against_composite(q, k, v, Tensor(), causal, 1e-12);
  check_against_composite(q, k, v, float_mask(65, 70, kFloat64, 8), false, 1e-12);
  // float32 within a float32 tolerance of the float64 result (the mask given in float64 is converted)
  for (bool causal : {false, true}) {
    INFO("causal " << causal);
    V in32{q.to(kFloat32).requires_grad_(true), k.to(kFloat32).requires_grad_(true),
           v.to(kFloat32).requires_grad_(true)};
    V in64{q.detach().requires_grad_(true), k.detach().requires_grad_(true), v.detach().requires_grad_(true)};
    Tensor y32 = scaled_dot_product_attention(in32[0], in32[1], in32[2], Tensor(), 0.0, causal);
    Tensor y64 = scaled_dot_product_attention(in64[0], in64[1], in64[2], Tensor(), 0.0, causal);
    REQUIRE(y32.dtype() == kFloat32);
    test::check_values(y32, y64.to_vector<double>(), 1e-5, 1e-4);
    V g32 = autograd::grad({test::wsum(y32)}, in32), g64 = autograd::grad({test::wsum(y64)}, in64);
    for (size_t i = 0; i < 3; ++i) test::check_values(g32[i], g64[i].to_vector<double>(), 1e-5, 1e-4);
  }
}

TEST_CASE("fused attention gradients: finite differences and second derivatives", "[nn][attention]") {
  const Tensor mask = float_mask(5, 9, kFloat64, 21);
  for (int mode = 0; mode < 3; ++mode) {
    INFO("mode " << mode);
    const bool causal = mode == 1;
    const Tensor m = mode == 2 ? mask : Tensor();
    auto f = [causal, m](const V& in) { return scaled_dot_product_attention(in[0], in[1], in[2], m, 0.0, causal); };
    const V in{leaf({2, 5, 3}, -1, 1, 22), leaf({2, 9, 3}, -1, 1, 23), leaf({2, 9, 4}, -1, 1, 24)};
    REQUIRE(fused(f(in)));
    REQUIRE_GRADCHECK(f, in);
    // create_graph takes the gradient formula in differentiable ops
    REQUIRE_GRADGRADCHECK(f, in);
  }
}

TEST_CASE("fused attention: a query row with every key masked gives NaN, as the composite", "[nn][attention]") {
  Tensor mask = zeros({3, 4}, kFloat64);
  mask.select(0, 1).fill_(-kInf);  // query 1 sees no key
  Tensor q = leaf({3, 2}, -1, 1, 31), k = leaf({4, 2}, -1, 1, 32), v = leaf({4, 2}, -1, 1, 33);
  Tensor y = scaled_dot_product_attention(q, k, v, mask);
  REQUIRE(fused(y));
  Tensor yc = composite(q, k, v, mask, false);
  for (int64_t i : {0, 2}) test::check_values(y.select(0, i), yc.select(0, i).to_vector<double>(), 1e-12);
  for (double x : y.select(0, 1).to_vector<double>()) CHECK(std::isnan(x));
  for (double x : yc.select(0, 1).to_vector<double>()) CHECK(std::isnan(x));
  // the backward: query 1's gradient is NaN too
  V g = autograd::grad({y.sum()}, {q});
  for (double x : g[0].select(0, 1).to_vector<double>()) CHECK(std::isnan(x));
}

TEST_CASE("fused attention is skipped where it does not apply; bad operands name the op", "[nn][attention]") {
  Tensor q = leaf({2, 4, 3}), k = leaf({2, 5, 3}), v = leaf({2, 5, 2});
  // a bool mask, a 3-D mask, dropout, broadcast batch dims: the composite, same values
  Tensor bool_mask = uniform_values({4, 5}, 0, 1, 41) > 0.3;
  bool_mask.slice(1, 0, 1).fill_(1.0);
  CHECK(!fused(scaled_dot_product_attention(q, k, v, bool_mask)));
  CHECK(!fused(scaled_dot_product_attention(q, k, v, zeros({2, 4, 5}, kFloat64))));
  CHECK(!fused(scaled_dot_product_attention(q, k, v, Tensor(), 0.5)));
  CHECK(!fused(scaled_dot_product_attention(q, k.select(0, 0), v.select(0, 0))));
  CHECK(fused(scaled_dot_product_attention(q, k, v, zeros({4, 5}, kFloat32))));
  // one query row against a key-value cache's narrowed buffers: the composite, which reads them in place
  Tensor q1 = q.narrow(1, 0, 1), k_cache = leaf({2, 9, 3}).narrow(1, 0, 5), v_cache = leaf({2, 9, 2}).narrow(1, 0, 5);
  CHECK(!fused(scaled_dot_product_attention(q1, k_cache, v_cache)));
  CHECK(fused(scaled_dot_product_attention(q1, k_cache.contiguous(), v_cache.contiguous())));
  CHECK_THROWS_WITH(scaled_dot_product_attention(q, leaf({2, 5, 4}), v),
                    Catch::Contains("scaled_dot_product_attention: shapes query (2,4,3), key (2,5,4)"));
  CHECK_THROWS_WITH(scaled_dot_product_attention(q, k, v, zeros({4, 5}, kFloat64), 0.0, true),
                    Catch::Contains("give attn_mask or is_causal, not both"));
  CHECK_THROWS_WITH(scaled_dot_product_attention(q.to(kFloat32), k, v),
                    Catch::Contains("scaled_dot_product_attention: query, key and value must have one dtype, got "
                                    "float32, float64 and float64"));
}

TEST_CASE("the CUDA fused attention is off by default; the switch leaves the CPU kernel on", "[nn][attention]") {
  // the default, read once from DGM_CUDA_FUSED_ATTENTION as every DGM_ switch (env_flag: tests/tensor/test_environment)
  const bool from_env = env_flag("DGM_CUDA_FUSED_ATTENTION");
  CHECK(nn::functional::cuda_fused_attention_enabled() == from_env);
  Tensor q = leaf({2, 4, 3}), k = leaf({2, 5, 3}), v = leaf({2, 5, 2});
  for (bool on : {true, false}) {
    nn::functional::enable_cuda_fused_attention(on);
    CHECK(nn::functional::cuda_fused_attention_enabled() == on);
    CHECK(fused(scaled_dot_product_attention(q, k, v)));
  }
  nn::functional::enable_cuda_fused_attention(from_env);
  {
    const nn::functional::CudaFusedAttentionGuard guard(!from_env);
    CHECK(nn::functional::cuda_fused_attention_enabled() == !from_env);
  }
  CHECK(nn::functional::cuda_fused_attention_enabled() == from_env);
}

TEST_CASE("MultiheadAttention without weights takes the fused path, with the same result", "[nn][attention]") {
  manual_seed(5);
  nn::MultiheadAttention mha(8, 2, 0.0, true, true);
  Tensor x = uniform_values({3, 7, 8}, -1, 1, 51).to(kFloat32);
  const Tensor causal = generate_square_subsequent_mask(7);
  Tensor bool_mask = ones({7, 7}, kBool).triu(1);  // true = not allowed
  for (const Tensor& mask : {Tensor(), causal, bool_mask}) {
    auto [fast, none] = mha.forward(x, x, x, Tensor(), /*need_weights=*/false, mask);
    auto [slow, w] = mha.forward(x, x, x, Tensor(), /*need_weights=*/true, mask);
    CHECK(!none.defined());
    CHECK(graph_has(fast, "scaled_dot_product_attention"));
    CHECK(!graph_has(slow, "scaled_dot_product_attention"));
    REQUIRE(w.defined());
    test::check_values(fast, slow.to_vector<double>(), 1e-5, 1e-5);
    // the fused node sits under the output projection: its gradients agree too
    V pf = autograd::grad({test::wsum(fast)}, {mha.in_proj_weight});
    V ps = autograd::grad({test::wsum(slow)}, {mha.in_proj_weight});
    test::check_values(pf[0], ps[0].to_vector<double>(), 1e-5, 1e-5);
  }
}
