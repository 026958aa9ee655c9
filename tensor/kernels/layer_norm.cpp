// The fused layer norm's front door: the rows' layout, the operands, the
// outputs, then the CPU kernel (tensor/cpu/layer_norm.cpp). There is no CUDA
// version: on the GPU nn/functional/ runs the composite instead.
#include "tensor/kernels/layer_norm.h"

#include "tensor/backend/dispatch.h"
#include "tensor/profiler.h"

namespace dgm::kernels {
namespace {

void check_layout(const char* op, const Tensor& x, RowLayout r) {
  DGM_CHECK(x.is_cpu(), op, " kernel: CPU only, got a tensor on ", x.device().str());
  DGM_CHECK(x.is_contiguous(), op, " kernel: expected a contiguous input, got strides ", shape_str(x.strides()));
  DGM_CHECK(r.outer * r.n * r.inner == x.numel() && r.n > 0, op, " kernel: rows (", r.outer, ", ", r.n, ", ", r.inner,
            ") do not cover the input of shape ", shape_str(x.shape()));
}

}  // namespace

LayerNormForward layer_norm_forward(const Tensor& x, RowLayout rows, const Tensor& weight, const Tensor& bias,
                                    double eps) {
  backend::one_device("layer_norm_forward", {&x, &weight, &bias}, {"input", "weight", "bias"});
  check_layout("layer_norm_forward", x, rows);
  LayerNormForward out{empty(x.shape(), x.dtype(), x.device()), empty({rows.outer * rows.inner}, kFloat64, x.device()),
                       empty({rows.outer * rows.inner}, kFloat64, x.device())};
  const Tensor w = weight.defined() ? weight.contiguous() : Tensor(), b = bias.defined() ? bias.contiguous() : Tensor();
  profiler::OpScope scope("layer_norm", x.device(), {&out.y, &out.mean, &out.rstd, &x, &w, &b});
  cpu::layer_norm_forward(out.y, out.mean, out.rstd, x, rows, w, b, eps);
  return out;
}

LayerNormBackward layer_norm_backward(const Tensor& g, const Tensor& x, RowLayout rows, const Tensor& mean,
                                      const Tensor& rstd, const Tensor& weight, bool want_dweight, bool want_dbias) {
  backend::one_device("layer_norm_backward", {&g, &x, &mean, &rstd, &weight},
                      {"grad_output", "input", "mean", "rstd", "weight"});
  check_layout("layer_norm_backward", x, rows);
  DGM_CHECK(g.shape() == x.shape() && g.is_contiguous() && g.dtype() == x.dtype(),
            "layer_norm_backward kernel: the gradient ", shape_str(g.shape()), " must be contiguous like x ",
            shape_str(x.shape()));
  const bool with_dw = want_dweight && weight.defined();
  Tensor dw = with_dw ? empty({rows.n}, kFloat64, x.device()) : Tensor();
  Tensor db = want_dbias ? empty({rows.n}, kFloat64, x.device()) : Tensor();
  LayerNormBackward out{empty(x.shape(), x.dtype(), x.device()), Tensor(), Tensor()};
  const Tensor w = weight.defined() ? weight.contiguous() : Tensor();
  {
    profiler::OpScope scope("layer_norm_backward", x.device(), {&out.dx, &dw, &db, &g, &x, &mean, &rstd, &w});
    cpu::layer_norm_backward(out.dx, dw, db, g, x, rows, mean, rstd, w);
  }
  if (with_dw) out.dweight = dw.to(x.dtype());
  if (want_dbias) out.dbias = db.to(x.dtype());
  return out;
}

}  // namespace dgm::kernels
