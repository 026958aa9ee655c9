// The fused ELU gradient's front door: the operands' checks, the output, then
// the CPU kernel (tensor/cpu/elu.cpp). There is no CUDA version: on the GPU
// autograd/ops/activations.cpp runs the composite instead.
#include "tensor/kernels/elu.h"

#include "tensor/backend/dispatch.h"
#include "tensor/profiler.h"

namespace dgm::kernels {

Tensor elu_backward(const Tensor& g, const Tensor& x, double alpha) {
  for (const auto& [name, t] : {std::pair<const char*, const Tensor*>{"input", &x}, {"grad_output", &g}}) {
    DGM_CHECK(t->is_cpu(), "elu_backward kernel: CPU only, got ", name, " on ", t->device().str());
    DGM_CHECK(t->is_contiguous(), "elu_backward kernel: expected a contiguous ", name, ", got shape ",
              shape_str(t->shape()), " with strides ", shape_str(t->strides()));
    DGM_CHECK(t->is_floating_point(), "elu_backward kernel: expected a floating point ", name, ", got ",
              dtype_name(t->dtype()));
  }
  DGM_CHECK(g.shape() == x.shape() && g.dtype() == x.dtype(), "elu_backward kernel: the gradient ",
            shape_str(g.shape()), " ", dtype_name(g.dtype()), " must match the input ", shape_str(x.shape()), " ",
            dtype_name(x.dtype()));
  Tensor dx = empty(x.shape(), x.dtype(), x.device());
  {
    profiler::OpScope scope("elu_backward", x.device(), {&dx, &g, &x});
    cpu::elu_backward(dx, g, x, alpha);
  }
  return dx;
}

}  // namespace dgm::kernels
