// A stack of MADE-based autoregressive flow layers (maf.h) on a standard
// normal base, for 2-D points or images (the course's supplementary deck:
// MAF and IAF; lecture 2's change of variables):
//
//   f = T_K o P o T_{K-1} o ... o P o T_1,   T_k a MAFLayer (kind "maf") or an IAFLayer ("iaf"),
//                                             P the order reversal (log-det 0)
//   log p(x) = log N(f(x); 0, I) + sum_k log|det dT_k/dx|,   log N(z; 0, I) = -1/2 sum_j (z_j^2 + log 2 pi)
//
// MAF evaluates log p(x) in one pass per layer and samples in D; IAF the
// other way round (so an IAF trained by maximum likelihood pays D passes per
// layer per step; fine in 2-D).
//
// Images (image_shape set, D = C*H*W): the batch holds raw pixels in 0..255;
// loss() dequantizes them, x = (pixel + u) / 256 with u ~ U[0,1)^D, and, with
// logit_alpha > 0, models y = logit(alpha + (1 - 2 alpha) x) instead of x
// (RealNVP's preprocessing) with the log-det of that map included, so log p
// is always the density of x in [0,1)^D:
//   log|det dy/dx| = sum_j log(1 - 2 alpha) - log s_j - log(1 - s_j),   s = alpha + (1 - 2 alpha) x
// Losses, averaged over the batch:
//   loss          -log p(x), nats per example (per image: x in [0,1)^D)
//   bits_per_dim  (images only) loss / (D ln 2) + 8: the density of the 256-level pixels
//                 (pixel + u) in [0,256)^D is p(x) / 256^D, which adds D ln 256 nats.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "models/flows/flow_layer.h"
#include "models/model.h"
#include "nn/modules/container.h"

namespace dgm::models::flows {

struct AutoregressiveFlowOptions {
  std::string kind = "maf";                // "maf" or "iaf"
  int64_t dim = 2;                         // D
  int64_t layers = 5;                      // autoregressive layers K (K-1 reversals between them)
  std::vector<int64_t> hidden = {64, 64};  // MADE hidden sizes
  double log_sigma_bound = 5.0;            // a = B tanh(raw / B)
  std::vector<int64_t> image_shape;        // (C, H, W) for images; empty for points
  double logit_alpha = 0;                  // images: > 0 models logit(alpha + (1 - 2 alpha) x); 0: x itself
};

class AutoregressiveFlow : public GenerativeModel {
 public:
  explicit AutoregressiveFlow(AutoregressiveFlowOptions options);
  std::string name() const override { return options_.kind == "iaf" ? "IAF" : "MAF"; }
  std::string extra_repr() const override;

  // x (B, D) in the data space (points; images flattened, in [0,1)) -> (z, log|det dz/dx|) (B).
  FlowOutput to_noise(const Tensor& x);
  // log p(x) (B) of x (B, D) in the data space.
  Tensor log_prob(const Tensor& x);
  // Images: mean -log p(x) of x = (pixels + noise) / 256, pixels (B, C, H, W) in 0..255, noise the same shape
  // in [0, 1); no randomness of its own (the PyTorch twin feeds the same noise).
  Tensor dequantized_nll(const Tensor& pixels, const Tensor& noise);

  Losses loss(const Batch& batch) override;
  // Points (n, D), or images (n, C, H, W) in [0, 1]; z ~ N(0, I) from options.gen, then f^{-1}.
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;
  // samples.png; for 2-D points also density.png, exp(log p) on a grid around the test points.
  void save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) override;

  const AutoregressiveFlowOptions& options() const { return options_; }
  const std::vector<std::shared_ptr<FlowLayer>>& layers() const { return layers_; }

 private:
  AutoregressiveFlowOptions options_;
  std::vector<std::shared_ptr<FlowLayer>> layers_;  // in the x -> z order
};

}  // namespace dgm::models::flows
