#include "models/flows/coupling_channel.h"

#include "autograd/ops/elementwise.h"
#include "autograd/ops/shape_ops.h"
#include "models/flows/coupling_checkerboard.h"
#include "tensor/factories.h"

namespace dgm::models::flows {

AffineChannelCoupling::AffineChannelCoupling(bool parity_type_, int64_t in_channels_, int64_t n_filters,
                                             int64_t n_blocks)
    : parity_type(parity_type_), in_channels(in_channels_) {
  DGM_CHECK(in_channels > 0, "AffineChannelCoupling: in_channels (channels of one half) must be > 0, got ",
            in_channels);
  scale = register_parameter("scale", zeros({1}));
  scale_shift = register_parameter("scale_shift", zeros({1}));
  // BEGIN SOLUTION hw2.4/layers
  resnet = register_module("resnet", std::make_shared<SimpleResnet>(in_channels, 2 * in_channels, n_filters, n_blocks));
  // END SOLUTION
}

std::string AffineChannelCoupling::extra_repr() const {
  return std::string("parity_type=") + (parity_type ? "True" : "False") +
         ", in_channels=" + std::to_string(in_channels);
}

AffineChannelCoupling::HalfStep AffineChannelCoupling::transform_half(const Tensor& x, bool invert) {
  // BEGIN SOLUTION hw2.4/transform
  std::vector<Tensor> halves = x.split(in_channels, 1);
  Tensor x_change = parity_type ? halves[0] : halves[1];
  Tensor x_id = parity_type ? halves[1] : halves[0];
  std::vector<Tensor> st = resnet->forward(x_id).split(in_channels, 1);
  Tensor s = scale * tanh(st[0]) + scale_shift;
  FlowOutput out = AffineCheckerboardCoupling::affine(x_change, s, st[1], invert);
  return {out.z, x_id, out.log_det};
  // END SOLUTION
}

FlowOutput AffineChannelCoupling::forward(const Tensor& x, bool invert) {
  DGM_CHECK(x.dim() == 4 && x.size(1) == 2 * in_channels, "AffineChannelCoupling: expected (B,", 2 * in_channels,
            ",H,W) (two halves of in_channels = ", in_channels, "), got ", shape_str(x.shape()));
  HalfStep step = transform_half(x, invert);
  // The changed half goes back in its place; the unchanged half's log-det is 0.
  Tensor no_change = zeros_like(step.log_det);
  if (parity_type) return {cat({step.changed, step.identity}, 1), cat({step.log_det, no_change}, 1)};
  return {cat({step.identity, step.changed}, 1), cat({no_change, step.log_det}, 1)};
}

}  // namespace dgm::models::flows
