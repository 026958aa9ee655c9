#include "models/flows/variational_dequantization.h"

#include <cmath>

#include "autograd/ops/elementwise.h"
#include "autograd/ops/shape_ops.h"
#include "models/flows/coupling_checkerboard.h"
#include "tensor/factories.h"

namespace dgm::models::flows {

ConditionalCheckerboardCoupling::ConditionalCheckerboardCoupling(bool parity_type, std::vector<int64_t> input_shape,
                                                                 int64_t channels_, int64_t feature_channels,
                                                                 int64_t n_filters, int64_t n_blocks)
    : channels(channels_) {
  mask = register_buffer("mask", AffineCheckerboardCoupling::build_mask(input_shape, parity_type));
  scale = register_parameter("scale", zeros({1}));
  scale_shift = register_parameter("scale_shift", zeros({1}));
  resnet = register_module(
      "resnet", std::make_shared<SimpleResnet>(channels + feature_channels, 2 * channels, n_filters, n_blocks));
}

FlowOutput ConditionalCheckerboardCoupling::forward(const Tensor& eps, const Tensor& features, bool invert) {
  DGM_CHECK(eps.dim() == 4 && features.dim() == 4 && eps.size(0) == features.size(0) &&
                eps.size(2) == features.size(2) && eps.size(3) == features.size(3) && eps.size(1) == channels,
            "ConditionalCheckerboardCoupling: expected eps (B,", channels, ",H,W) and features (B,F,H,W), got ",
            shape_str(eps.shape()), " and ", shape_str(features.shape()));
  Tensor m = mask.to(eps.dtype());
  std::vector<Tensor> st = resnet->forward(cat({eps * m, features}, 1)).split(channels, 1);
  // s = scale tanh(s) + scale_shift and t, both zero on the conditioning pixels
  Tensor s = (scale * tanh(st[0]) + scale_shift) * (1.0 - m);
  Tensor t = st[1] * (1.0 - m);
  return AffineCheckerboardCoupling::affine(eps, s, t, invert);
}

VariationalDequantizer::VariationalDequantizer(std::vector<int64_t> input_shape, int64_t channels, int64_t n_filters,
                                               int64_t n_blocks, int64_t n_couplings)
    : channels_(channels) {
  DGM_CHECK(n_couplings > 0, "VariationalDequantizer: n_couplings must be > 0, got ", n_couplings);
  features_ = register_module("features", std::make_shared<SimpleResnet>(channels, n_filters, n_filters, n_blocks));
  for (int64_t i = 0; i < n_couplings; ++i)
    layers_.push_back(register_module("coupling" + std::to_string(i),
                                      std::make_shared<ConditionalCheckerboardCoupling>(
                                          i % 2 == 0, input_shape, channels, n_filters, n_filters, n_blocks)));
}

FlowOutput VariationalDequantizer::couplings(const Tensor& x, const Tensor& eps, bool invert) {
  Tensor features = features_->forward((x - 0.5) * 2.0);
  Tensor h = eps;
  Tensor log_det = zeros({eps.size(0)}, TensorOptions(eps.dtype()).device(eps.device()));
  const int64_t n = static_cast<int64_t>(layers_.size());
  for (int64_t k = 0; k < n; ++k) {
    FlowOutput step = layers_[static_cast<size_t>(invert ? n - 1 - k : k)]->forward(h, features, invert);
    h = step.z;
    log_det = log_det + step.log_det.reshape({h.size(0), -1}).sum({1});
  }
  return {h, log_det};
}

VariationalDequantizer::Draw VariationalDequantizer::transform(const Tensor& x, const Tensor& eps) {
  DGM_CHECK(x.shape() == eps.shape() && x.dim() == 4 && x.size(1) == channels_,
            "VariationalDequantizer: expected x and eps of the same shape (B,", channels_, ",H,W), got ",
            shape_str(x.shape()), " and ", shape_str(eps.shape()));
  FlowOutput g = couplings(x, eps, false);
  Tensor u = sigmoid(g.z);
  const int64_t b = x.size(0);
  // log N(eps; 0, I), per image
  Tensor log_p_eps = (-0.5 * eps.square() - 0.5 * std::log(2 * M_PI)).reshape({b, -1}).sum({1});
  // log sigmoid'(h) = -softplus(-h) - softplus(h)
  Tensor log_sigmoid_grad = (-softplus(-g.z) - softplus(g.z)).reshape({b, -1}).sum({1});
  return {u, log_p_eps - g.log_det - log_sigmoid_grad};
}

VariationalDequantizer::Draw VariationalDequantizer::sample(const Tensor& x, Generator* gen) {
  return transform(x, randn(x.shape(), TensorOptions(x.dtype()).device(x.device()), gen));
}

VariationalDequantizedRealNVP::VariationalDequantizedRealNVP(std::vector<int64_t> input_shape, int64_t n_channels,
                                                             int64_t n_filters, int64_t n_blocks, int64_t deq_filters,
                                                             int64_t deq_blocks) {
  flow = register_module("flow", std::make_shared<RealNVP>(input_shape, n_channels, n_filters, n_blocks, 256));
  dequantizer = register_module(
      "dequantizer", std::make_shared<VariationalDequantizer>(input_shape, n_channels, deq_filters, deq_blocks));
}

Losses VariationalDequantizedRealNVP::loss(const Batch& batch) {
  VariationalDequantizer::Draw d = dequantizer->sample(batch.x);
  // -E_q[log p(y) - log q(u|x)], y = (255 x + u) / 256
  Tensor nll = -(flow->log_prob(batch.x, d.u) - d.log_q).mean();
  const double dims = static_cast<double>(batch.x.numel() / batch.x.size(0));
  Tensor bits = (nll.detach() + dims * std::log(256.0)) / (dims * std::log(2.0));
  return {{"nll_loss", nll}, {"bits_per_dim", bits}};
}

}  // namespace dgm::models::flows
