// The fused attention on CUDA (cuda/attention.cu) against the composite
// (matmul, mask, softmax, matmul) on the GPU: values and the three gradients,
// causal and not, with an (L, S) float mask, sizes around the kernels' tiles
// (32 keys, 64 rows per block), float64 and float32.
//
// Tolerances. float64: 1e-12. float32: each output and gradient is a sum of
// up to S (or L) products of a probability and a value of size <= ~2, summed
// in another order than the composite's, after exponentials that differ by an
// ulp or two: 1e-5 absolute and 1e-4 relative.
#include <cstring>
#include <limits>

#include "nn/functional/attention_fused.h"
#include "parity.h"

using namespace dgm;
using dgm::test::check_close;
using dgm::test::Tol;
using dgm::test::uniform_values;
using dgm::test::wsum;

namespace {

bool fused(const Tensor& y) {
  return y.grad_fn() && std::strcmp(y.grad_fn()->name, "scaled_dot_product_attention") == 0;
}

}  // namespace

TEST_CASE("fused attention on CUDA matches the composite on CUDA", "[cuda][attention]") {
  // the fused kernel is off on CUDA by default until it has run on a GPU (nn/functional/attention_fused.h)
  const nn::functional::CudaFusedAttentionGuard fused_on(true);
  struct Case {
    int64_t L, S, E, Ev;
  };
  const Device gpu(kCUDA);
  for (DType dt : {kFloat64, kFloat32}) {
    const Tol tol = dt == kFloat64 ? Tol{1e-12, 1e-12} : Tol{1e-5, 1e-4};
    for (Case c : {Case{1, 1, 1, 1}, Case{7, 33, 3, 5}, Case{65, 130, 16, 16}, Case{130, 65, 64, 3}}) {
      for (int mode = 0; mode < 3; ++mode) {  // 0 plain, 1 causal, 2 float mask
        INFO(dtype_name(dt) << " L " << c.L << " S " << c.S << " E " << c.E << " Ev " << c.Ev << " mode " << mode);
        const bool causal = mode == 1;
        Tensor mask;
        if (mode == 2) {
          Tensor drop = uniform_values({c.L, c.S}, 0, 1, 4) > 0.7;
          drop.slice(1, 0, 1).fill_(0.0);  // key 0 always allowed
          mask = uniform_values({c.L, c.S}, -1, 1, 5)
                     .masked_fill(drop, -std::numeric_limits<double>::infinity())
                     .to(dt)
                     .to(gpu);
        }
        auto inputs = [&] {
          return std::vector<Tensor>{uniform_values({2, c.L, c.E}, -2, 2, 1).to(dt).to(gpu).requires_grad_(true),
                                     uniform_values({2, c.S, c.E}, -2, 2, 2).to(dt).to(gpu).requires_grad_(true),
                                     uniform_values({2, c.S, c.Ev}, -1, 1, 3).to(dt).to(gpu).requires_grad_(true)};
        };
        std::vector<Tensor> a = inputs(), b = inputs();
        Tensor yf = scaled_dot_product_attention(a[0], a[1], a[2], mask, 0.0, causal);
        Tensor yc =
            std::get<0>(nn::functional::scaled_dot_product_attention_with_weights(b[0], b[1], b[2], mask, 0.0, causal));
        REQUIRE(fused(yf));
        REQUIRE(yf.is_cuda());
        check_close("output", yf, yc, tol);
        std::vector<Tensor> gf = autograd::grad({wsum(yf.to(kCPU))}, a);
        std::vector<Tensor> gc = autograd::grad({wsum(yc.to(kCPU))}, b);
        for (size_t i = 0; i < 3; ++i) check_close("gradient " + std::to_string(i), gf[i], gc[i], tol);
      }
    }
  }
}
