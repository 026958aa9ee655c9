#include "models/flows/realnvp.h"

#include <cmath>

#include "autograd/grad_mode.h"
#include "autograd/ops/elementwise.h"
#include "models/flows/squeeze.h"
#include "tensor/factories.h"

namespace dgm::models::flows {

RealNVP::RealNVP(std::vector<int64_t> input_shape, int64_t n_channels, int64_t n_filters, int64_t n_blocks,
                 int64_t nbins, int64_t n_couplings)
    : input_shape_(std::move(input_shape)),
      n_channels_(n_channels),
      n_filters_(n_filters),
      n_blocks_(n_blocks),
      nbins_(nbins),
      n_couplings_(n_couplings) {
  DGM_CHECK(input_shape_.size() == 2 && input_shape_[0] > 0 && input_shape_[1] > 0 && input_shape_[0] % 2 == 0 &&
                input_shape_[1] % 2 == 0,
            "RealNVP: input_shape must be (H, W) with even H, W > 0 (the squeeze halves them), got ",
            shape_str(input_shape_));
  DGM_CHECK(n_channels > 0 && n_filters > 0 && n_blocks >= 0 && n_couplings > 0,
            "RealNVP: expected n_channels, n_filters, n_couplings > 0 and n_blocks >= 0, got n_channels=", n_channels,
            " n_filters=", n_filters, " n_blocks=", n_blocks, " n_couplings=", n_couplings);
  DGM_CHECK(nbins >= 2, "RealNVP: nbins must be >= 2, got ", nbins);
  preprocess = register_module("preprocess", std::make_shared<LogitTransform>(0.05, true, nbins));
  transforms1 = register_module("transforms1", std::make_shared<nn::ModuleList>());
  transforms2 = register_module("transforms2", std::make_shared<nn::ModuleList>());
  transforms3 = register_module("transforms3", std::make_shared<nn::ModuleList>());
  // BEGIN SOLUTION hw2.5/layers
  const std::vector<int64_t> squeezed{input_shape_[0] / 2, input_shape_[1] / 2};
  for (int64_t i = 0; i < n_couplings; ++i) {
    const bool parity = i % 2 == 0;
    transforms1->push_back(
        std::make_shared<AffineCheckerboardCoupling>(parity, input_shape_, n_channels, n_filters, n_blocks));
    transforms1->push_back(std::make_shared<ActNorm>(n_channels));
    transforms2->push_back(std::make_shared<AffineChannelCoupling>(parity, 2 * n_channels, n_filters, n_blocks));
    transforms2->push_back(std::make_shared<ActNorm>(4 * n_channels));
    transforms3->push_back(
        std::make_shared<AffineCheckerboardCoupling>(parity, input_shape_, n_channels, n_filters, n_blocks));
    transforms3->push_back(std::make_shared<ActNorm>(n_channels));
  }
  // END SOLUTION
}

std::string RealNVP::extra_repr() const {
  return "input_shape=(" + std::to_string(input_shape_[0]) + ", " + std::to_string(input_shape_[1]) +
         "), n_channels=" + std::to_string(n_channels_) + ", n_filters=" + std::to_string(n_filters_) +
         ", n_blocks=" + std::to_string(n_blocks_) + ", nbins=" + std::to_string(nbins_);
}

FlowOutput RealNVP::run(nn::ModuleList& stack, FlowOutput state, bool invert) {
  const int64_t n = static_cast<int64_t>(stack.size());
  for (int64_t k = 0; k < n; ++k) {
    FlowOutput step = stack.at<FlowLayer>(invert ? n - 1 - k : k)->forward(state.z, invert);
    state.z = step.z;
    state.log_det = state.log_det + step.log_det;  // element-wise, the shape of z
  }
  return state;
}

FlowOutput RealNVP::forward(const Tensor& x, bool invert, const Tensor& noise) {
  DGM_CHECK(x.dim() == 4 && x.size(1) == n_channels_ && x.size(2) == input_shape_[0] && x.size(3) == input_shape_[1],
            "RealNVP: expected (B,", n_channels_, ",", input_shape_[0], ",", input_shape_[1], "), got ",
            shape_str(x.shape()));
  if (!invert) {
    FlowOutput s = preprocess->forward_transform(x, noise);
    s = run(*transforms1, s, false);
    s = run(*transforms2, {squeeze2x2(s.z), squeeze2x2(s.log_det)}, false);
    s = run(*transforms3, {undo_squeeze2x2(s.z), undo_squeeze2x2(s.log_det)}, false);
    return s;
  }
  FlowOutput s = run(*transforms3, {x, zeros_like(x)}, true);
  s = run(*transforms2, {squeeze2x2(s.z), squeeze2x2(s.log_det)}, true);
  s = run(*transforms1, {undo_squeeze2x2(s.z), undo_squeeze2x2(s.log_det)}, true);
  FlowOutput pre = preprocess->inverse_transform(s.z);
  return {pre.z, s.log_det + pre.log_det};
}

Tensor standard_normal_flow_log_prob(const FlowOutput& out) {
  // BEGIN SOLUTION hw2.5/log_prob
  // log N(z; 0, 1) = -z^2 / 2 - log(2 pi) / 2, element-wise, plus the log-det, summed per image
  Tensor log_pz = -0.5 * out.z.square() - 0.5 * std::log(2 * M_PI);
  return (log_pz + out.log_det).reshape({out.z.size(0), -1}).sum({1});
  // END SOLUTION
}

Tensor RealNVP::log_prob(const Tensor& x, const Tensor& noise) {
  return standard_normal_flow_log_prob(forward(x, false, noise));
}

Losses RealNVP::loss(const Batch& batch) {
  Tensor nll = -log_prob(batch.x).mean();
  // Each dequantization bin has volume nbins^-D: discrete NLL = nll + D log nbins.
  const double dims = static_cast<double>(batch.x.numel() / batch.x.size(0));
  Tensor bits = (nll.detach() + dims * std::log(static_cast<double>(nbins_))) / (dims * std::log(2.0));
  return {{"nll_loss", nll}, {"bits_per_dim", bits}};
}

Tensor RealNVP::sample(int64_t n, const SampleOptions& options) {
  NoGradGuard no_grad;
  Tensor z = randn({n, n_channels_, input_shape_[0], input_shape_[1]},
                   TensorOptions().device(parameters().front().device()), options.gen);
  Tensor x = forward(z, true).z;
  // floor(clip(x nbins, 0, nbins - 1)) / (nbins - 1)
  const double bins = static_cast<double>(nbins_);
  return floor(clamp(x * bins, 0.0, bins - 1)) / (bins - 1);
}

}  // namespace dgm::models::flows
