#include "models/flows/realnvp_vit.h"

#include "models/flows/realnvp.h"

#include <cmath>

#include "autograd/grad_mode.h"
#include "autograd/ops/elementwise.h"
#include "models/flows/actnorm.h"
#include "tensor/factories.h"

namespace dgm::models::flows {

RealNVPViT::RealNVPViT(const ViTConfig& config, int64_t n_couplings, int64_t nbins)
    : config_(config), n_couplings_(n_couplings), nbins_(nbins) {
  DGM_CHECK(n_couplings > 0, "RealNVPViT: n_couplings must be > 0, got ", n_couplings);
  DGM_CHECK(nbins >= 2, "RealNVPViT: nbins must be >= 2, got ", nbins);
  preprocess = register_module("preprocess", std::make_shared<LogitTransform>(0.05, true, nbins));
  transforms = register_module("transforms", std::make_shared<nn::ModuleList>());
  for (int64_t i = 0; i < n_couplings; ++i) {
    transforms->push_back(std::make_shared<ViTAffineCheckerboardCoupling>(i % 2 == 0, config));
    transforms->push_back(std::make_shared<ActNorm>(config.n_channels));
  }
}

std::string RealNVPViT::extra_repr() const {
  return "n_couplings=" + std::to_string(n_couplings_) + ", nbins=" + std::to_string(nbins_);
}

FlowOutput RealNVPViT::forward(const Tensor& x, bool invert, const Tensor& noise) {
  DGM_CHECK(x.dim() == 4 && x.size(1) == config_.n_channels && x.size(2) == config_.image_shape.first &&
                x.size(3) == config_.image_shape.second,
            "RealNVPViT: expected (B,", config_.n_channels, ",", config_.image_shape.first, ",",
            config_.image_shape.second, "), got ", shape_str(x.shape()));
  const int64_t n = static_cast<int64_t>(transforms->size());
  FlowOutput state = invert ? FlowOutput{x, zeros_like(x)} : preprocess->forward_transform(x, noise);
  for (int64_t k = 0; k < n; ++k) {
    FlowOutput step = transforms->at<FlowLayer>(invert ? n - 1 - k : k)->forward(state.z, invert);
    state.z = step.z;
    state.log_det = state.log_det + step.log_det;  // element-wise, the shape of z
  }
  if (!invert) return state;
  FlowOutput pre = preprocess->inverse_transform(state.z);
  return {pre.z, state.log_det + pre.log_det};
}

Tensor RealNVPViT::log_prob(const Tensor& x, const Tensor& noise) {
  return standard_normal_flow_log_prob(forward(x, false, noise));
}

Losses RealNVPViT::loss(const Batch& batch) {
  Tensor nll = -log_prob(batch.x).mean();
  // Each dequantization bin has volume nbins^-D: discrete NLL = nll + D log nbins.
  const double dims = static_cast<double>(batch.x.numel() / batch.x.size(0));
  Tensor bits = (nll.detach() + dims * std::log(static_cast<double>(nbins_))) / (dims * std::log(2.0));
  return {{"nll_loss", nll}, {"bits_per_dim", bits}};
}

Tensor RealNVPViT::sample(int64_t n, const SampleOptions& options) {
  NoGradGuard no_grad;
  Tensor z = randn({n, config_.n_channels, config_.image_shape.first, config_.image_shape.second},
                   TensorOptions().device(parameters().front().device()), options.gen);
  Tensor x = forward(z, true).z;
  // floor(clip(x nbins, 0, nbins - 1)) / (nbins - 1)
  const double bins = static_cast<double>(nbins_);
  return floor(clamp(x * bins, 0.0, bins - 1)) / (bins - 1);
}

}  // namespace dgm::models::flows
