// The fused SiLU's front door: the operands' checks, the output, then the CPU
// kernel (tensor/cpu/silu.cpp). There is no CUDA version: on the GPU
// autograd/ops/activations.cpp runs the composite instead.
#include "tensor/kernels/silu.h"

#include "tensor/backend/dispatch.h"
#include "tensor/profiler.h"

namespace dgm::kernels {
namespace {

void check_operand(const char* op, const char* name, const Tensor& t) {
  DGM_CHECK(t.is_cpu(), op, " kernel: CPU only, got ", name, " on ", t.device().str());
  DGM_CHECK(t.is_contiguous(), op, " kernel: expected a contiguous ", name, ", got shape ", shape_str(t.shape()),
            " with strides ", shape_str(t.strides()));
  DGM_CHECK(t.is_floating_point(), op, " kernel: expected a floating point ", name, ", got ", dtype_name(t.dtype()));
}

}  // namespace

Tensor silu_forward(const Tensor& x) {
  check_operand("silu_forward", "input", x);
  Tensor y = empty(x.shape(), x.dtype(), x.device());
  {
    profiler::OpScope scope("silu", x.device(), {&y, &x});
    cpu::silu_forward(y, x);
  }
  return y;
}

Tensor silu_backward(const Tensor& g, const Tensor& x) {
  check_operand("silu_backward", "input", x);
  check_operand("silu_backward", "grad_output", g);
  DGM_CHECK(g.shape() == x.shape() && g.dtype() == x.dtype(), "silu_backward kernel: the gradient ",
            shape_str(g.shape()), " ", dtype_name(g.dtype()), " must match the input ", shape_str(x.shape()), " ",
            dtype_name(x.dtype()));
  Tensor dx = empty(x.shape(), x.dtype(), x.device());
  {
    profiler::OpScope scope("silu_backward", x.device(), {&dx, &g, &x});
    cpu::silu_backward(dx, g, x);
  }
  return dx;
}

}  // namespace dgm::kernels
