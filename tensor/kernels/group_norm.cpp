// The fused group norm's front door: the operands, the outputs, then the CPU
// kernel (tensor/cpu/group_norm.cpp). There is no CUDA version: on the GPU
// nn/functional/ runs the composite instead.
#include "tensor/kernels/group_norm.h"

#include "tensor/backend/dispatch.h"
#include "tensor/profiler.h"

namespace dgm::kernels {
namespace {

GroupNormShape check_input(const char* op, const Tensor& x, int64_t groups, const Tensor& weight, const Tensor& bias) {
  DGM_CHECK(x.is_cpu(), op, " kernel: CPU only, got a tensor on ", x.device().str());
  DGM_CHECK(x.is_contiguous(), op, " kernel: expected a contiguous input, got strides ", shape_str(x.strides()));
  DGM_CHECK(x.dtype() == kFloat32 || x.dtype() == kFloat64, op, " kernel: expected float32 or float64, got ",
            dtype_name(x.dtype()));
  DGM_CHECK(x.dim() >= 2 && x.numel() > 0, op, " kernel: expected a non-empty (N, C, *) input, got shape ",
            shape_str(x.shape()));
  const int64_t c = x.size(1);
  DGM_CHECK(groups > 0 && c % groups == 0, op, " kernel: ", groups, " groups do not divide ", c,
            " channels (input shape ", shape_str(x.shape()), ")");
  for (const Tensor* p : {&weight, &bias})
    DGM_CHECK(!p->defined() || (p->shape() == Shape{c} && p->dtype() == x.dtype()), op,
              " kernel: weight and bias must be (", c, ") of the input's dtype ", dtype_name(x.dtype()), ", got ",
              shape_str(p->shape()), " ", dtype_name(p->dtype()));
  return {x.size(0), c, groups, x.numel() / (x.size(0) * c)};
}

}  // namespace

GroupNormForward group_norm_forward(const Tensor& x, int64_t groups, const Tensor& weight, const Tensor& bias,
                                    double eps) {
  backend::one_device("group_norm_forward", {&x, &weight, &bias}, {"input", "weight", "bias"});
  const GroupNormShape s = check_input("group_norm_forward", x, groups, weight, bias);
  GroupNormForward out{empty(x.shape(), x.dtype(), x.device()), empty({s.n * s.groups}, kFloat64, x.device()),
                       empty({s.n * s.groups}, kFloat64, x.device())};
  const Tensor w = weight.defined() ? weight.contiguous() : Tensor(), b = bias.defined() ? bias.contiguous() : Tensor();
  profiler::OpScope scope("group_norm", x.device(), {&out.y, &out.mean, &out.rstd, &x, &w, &b});
  cpu::group_norm_forward(out.y, out.mean, out.rstd, x, s, w, b, eps);
  return out;
}

GroupNormBackward group_norm_backward(const Tensor& g, const Tensor& x, int64_t groups, const Tensor& mean,
                                      const Tensor& rstd, const Tensor& weight, bool want_dweight, bool want_dbias) {
  backend::one_device("group_norm_backward", {&g, &x, &mean, &rstd, &weight},
                      {"grad_output", "input", "mean", "rstd", "weight"});
  const GroupNormShape s = check_input("group_norm_backward", x, groups, weight, Tensor());
  DGM_CHECK(g.shape() == x.shape() && g.is_contiguous() && g.dtype() == x.dtype(),
            "group_norm_backward kernel: the gradient of shape ", shape_str(g.shape()), " ", dtype_name(g.dtype()),
            " must be contiguous, of x's shape ", shape_str(x.shape()), " and dtype ", dtype_name(x.dtype()));
  DGM_CHECK(mean.numel() == s.n * s.groups && rstd.numel() == s.n * s.groups && mean.dtype() == kFloat64 &&
                rstd.dtype() == kFloat64,
            "group_norm_backward kernel: mean and rstd must be float64 of ", s.n * s.groups, " values, got ",
            mean.numel(), " ", dtype_name(mean.dtype()), " and ", rstd.numel(), " ", dtype_name(rstd.dtype()));
  const bool with_dw = want_dweight && weight.defined();
  Tensor dw = with_dw ? empty({s.c}, kFloat64, x.device()) : Tensor();
  Tensor db = want_dbias ? empty({s.c}, kFloat64, x.device()) : Tensor();
  GroupNormBackward out{empty(x.shape(), x.dtype(), x.device()), Tensor(), Tensor()};
  const Tensor w = weight.defined() ? weight.contiguous() : Tensor();
  {
    profiler::OpScope scope("group_norm_backward", x.device(), {&out.dx, &dw, &db, &g, &x, &mean, &rstd, &w});
    cpu::group_norm_backward(out.dx, dw, db, g, x, s, mean, rstd, w);
  }
  if (with_dw) out.dweight = dw.to(x.dtype());
  if (want_dbias) out.dbias = db.to(x.dtype());
  return out;
}

}  // namespace dgm::kernels
