#include "models/flows/coupling_checkerboard.h"

#include "autograd/ops/elementwise.h"
#include "tensor/factories.h"

namespace dgm::models::flows {

namespace {

void check_hw(const std::vector<int64_t>& input_shape, const char* what) {
  DGM_CHECK(input_shape.size() == 2 && input_shape[0] > 0 && input_shape[1] > 0, what,
            ": input_shape must be (H, W) with H, W > 0, got ", shape_str(input_shape));
}

}  // namespace

Tensor AffineCheckerboardCoupling::build_mask(const std::vector<int64_t>& input_shape, bool parity_type) {
  check_hw(input_shape, "AffineCheckerboardCoupling::build_mask");
  // BEGIN SOLUTION hw2.2
  const int64_t h = input_shape[0], w = input_shape[1];
  std::vector<float> values(static_cast<size_t>(h * w));
  for (int64_t i = 0; i < h; ++i)
    for (int64_t j = 0; j < w; ++j) values[static_cast<size_t>(i * w + j)] = ((i + j) % 2 == 0) == parity_type;
  return tensor(values, {1, 1, h, w});
  // END SOLUTION
}

AffineCheckerboardCoupling::AffineCheckerboardCoupling(bool parity_type_, std::vector<int64_t> input_shape,
                                                       int64_t in_channels_, int64_t n_filters, int64_t n_blocks)
    : parity_type(parity_type_), in_channels(in_channels_), n_filters_(n_filters), n_blocks_(n_blocks) {
  check_hw(input_shape, "AffineCheckerboardCoupling");
  DGM_CHECK(in_channels > 0, "AffineCheckerboardCoupling: in_channels must be > 0, got ", in_channels);
  mask = register_buffer("mask", build_mask(input_shape, parity_type));
  scale = register_parameter("scale", zeros({1}));
  scale_shift = register_parameter("scale_shift", zeros({1}));
  // BEGIN SOLUTION hw2.3/layers
  resnet = register_module("resnet", std::make_shared<SimpleResnet>(in_channels, 2 * in_channels, n_filters, n_blocks));
  // END SOLUTION
}

std::string AffineCheckerboardCoupling::extra_repr() const {
  return std::string("parity_type=") + (parity_type ? "True" : "False") +
         ", in_channels=" + std::to_string(in_channels);
}

FlowOutput AffineCheckerboardCoupling::forward(const Tensor& x, bool invert) {
  DGM_CHECK(x.dim() == 4 && x.size(1) == in_channels && x.size(2) == mask.size(2) && x.size(3) == mask.size(3),
            "AffineCheckerboardCoupling: expected (B,", in_channels, ",", mask.size(2), ",", mask.size(3), "), got ",
            shape_str(x.shape()));
  Tensor m = mask.to(x.dtype());
  Tensor out = resnet->forward(x * m);
  DGM_CHECK(out.dim() == 4 && out.size(1) == 2 * in_channels,
            "AffineCheckerboardCoupling: the resnet must give s and t, ", 2 * in_channels,
            " channels for in_channels = ", in_channels, ", got an output of shape ", shape_str(out.shape()));
  std::vector<Tensor> st = out.split(in_channels, 1);
  // s = scale * tanh(s) + scale_shift, zero on the conditioning pixels; t likewise
  Tensor s = (scale * tanh(st[0]) + scale_shift) * (1.0 - m);
  Tensor t = st[1] * (1.0 - m);
  return affine(x, s, t, invert);
}

FlowOutput AffineCheckerboardCoupling::affine(const Tensor& x, const Tensor& s, const Tensor& t, bool invert) {
  // BEGIN SOLUTION hw2.3/affine
  // forward z = x exp(s) + t (log-det s); inverse x = (z - t) exp(-s) (log-det -s)
  if (invert) return {(x - t) * exp(-s), -s};
  return {x * exp(s) + t, s};
  // END SOLUTION
}

}  // namespace dgm::models::flows
