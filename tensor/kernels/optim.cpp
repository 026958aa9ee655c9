// The fused Adam update's front door: every tensor like the parameter.
#include "tensor/kernels/optim.h"

#include "tensor/backend/dispatch.h"

namespace dgm::kernels {

void adam_step_(const Tensor& p, const Tensor& g, const Tensor& m, const Tensor& v, const AdamStep& s) {
  for (const Tensor* t : {&g, &m, &v})
    DGM_CHECK(t->device() == p.device() && t->dtype() == p.dtype() && t->shape() == p.shape(),
              "adam_step_: gradient and state must match the parameter ", shape_str(p.shape()), " ",
              dtype_name(p.dtype()), " on ", p.device().str(), ", got ", shape_str(t->shape()), " ",
              dtype_name(t->dtype()), " on ", t->device().str());
  DGM_CHECK(p.is_contiguous() && g.is_contiguous() && m.is_contiguous() && v.is_contiguous(),
            "adam_step_: expected contiguous tensors");
  for (const Tensor* t : {&p, &m, &v}) t->bump_version();  // autograd/engine.cpp checks saved versions
  if (p.numel() > 0) DGM_BACKEND(p.device(), adam_step_(p, g, m, v, s));
}

}  // namespace dgm::kernels
