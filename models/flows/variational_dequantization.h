// Variational dequantization (Ho et al. 2019, Flow++; the supplementary deck's
// dequantization). Uniform dequantization adds u ~ U[0,1)^D to the pixel
// values k in {0..255}; the density model p of y = (k + u)/256 then bounds
// the discrete model by
//   log P(k) >= E_{u ~ U} log p(y) - D log 256                          (uniform)
// Variational dequantization draws u from a learned q(u | k) instead:
//   log P(k) >= E_{u ~ q} [log p(y) - log q(u | k)] - D log 256         (variational)
// a bound that is tight when q(u|k) = p(y)/P(k) 256^-D, so never worse than
// the uniform one at the optimum (uniform q is a special case).
//
// q is a conditional flow on (0,1)^D: eps ~ N(0, I), then K checkerboard
// couplings whose conditioner also sees k's features, then u = sigmoid(h):
//   log q(u|k) = log N(eps) - sum_k log|det J_k| - sum log sigmoid'(h),
//   log sigmoid'(h) = -softplus(-h) - softplus(h).
#pragma once
#include <memory>
#include <vector>

#include "models/flows/flow_layer.h"
#include "models/flows/realnvp.h"
#include "models/flows/simple_resnet.h"
#include "models/model.h"

namespace dgm::models::flows {

// A checkerboard affine coupling of eps (B,C,H,W) conditioned on features (B,F,H,W):
//   (s, t) = SimpleResnet([eps * b, features]),  s = scale tanh(s) + scale_shift, zero on b;  z = eps exp(s) + t.
class ConditionalCheckerboardCoupling : public nn::Module {
 public:
  ConditionalCheckerboardCoupling(bool parity_type, std::vector<int64_t> input_shape, int64_t channels,
                                  int64_t feature_channels, int64_t n_filters, int64_t n_blocks);
  std::string name() const override { return "ConditionalCheckerboardCoupling"; }
  FlowOutput forward(const Tensor& eps, const Tensor& features, bool invert);
  using nn::Module::forward;

  int64_t channels;
  Tensor mask, scale, scale_shift;
  std::shared_ptr<SimpleResnet> resnet;
};

class VariationalDequantizer : public nn::Module {
 public:
  VariationalDequantizer(std::vector<int64_t> input_shape, int64_t channels, int64_t n_filters, int64_t n_blocks,
                         int64_t n_couplings = 4);
  std::string name() const override { return "VariationalDequantizer"; }

  struct Draw {
    Tensor u;      // (B,C,H,W) in (0, 1)
    Tensor log_q;  // (B): log q(u | x)
  };
  // u ~ q(u | x) for images x with values k/255 (k in 0..255), by reparametrization (differentiable).
  Draw sample(const Tensor& x, Generator* gen = nullptr);
  // The same for given eps (B,C,H,W) (the test's fixed draws).
  Draw transform(const Tensor& x, const Tensor& eps);
  // eps -> h through the couplings (invert: h -> eps), with the summed log-det (B); features from x.
  FlowOutput couplings(const Tensor& x, const Tensor& eps, bool invert);

 private:
  std::shared_ptr<SimpleResnet> features_;  // x (centred) -> feature maps
  std::vector<std::shared_ptr<ConditionalCheckerboardCoupling>> layers_;
  int64_t channels_;
};

// RealNVP on 256-level images with variational dequantization: loss
//   nll_loss = -E_q[log p(y) - log q(u|x)] per image (nats, the density part), bits_per_dim as RealNVP's.
class VariationalDequantizedRealNVP : public GenerativeModel {
 public:
  VariationalDequantizedRealNVP(std::vector<int64_t> input_shape, int64_t n_channels, int64_t n_filters,
                                int64_t n_blocks, int64_t deq_filters, int64_t deq_blocks);
  std::string name() const override { return "VariationalDequantizedRealNVP"; }
  Losses loss(const Batch& batch) override;
  Tensor sample(int64_t n, const SampleOptions& options = {}) override { return flow->sample(n, options); }

  std::shared_ptr<RealNVP> flow;
  std::shared_ptr<VariationalDequantizer> dequantizer;
};

}  // namespace dgm::models::flows
