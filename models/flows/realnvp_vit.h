// RealNVP with ViT couplings on 32x32 binarized MNIST (the course's autumn-2025
// homework 2, "RealNVP on MNIST, ViT backbone, Jet-inspired"; COURSE.md §6):
//
//   x in {0, 1/(nbins-1), ..., 1}^(C,H,W)
//   -> LogitTransform (dequantize with nbins, x_s = alpha + (1-2 alpha) y, logit), alpha = 0.05
//   -> n_couplings x [ViTAffineCheckerboardCoupling (parity alternating, true first), ActNorm(C)]   = z
//
// No squeeze stage: the ViT's patches already mix pixels far apart. The
// log-det is carried element-wise with z (the shape of x), so
//   log p(x) = sum over (C,H,W) of [log N(z; 0, 1) + log_det]          (a density on [0,1)^D)
//   loss     = {"nll_loss": -mean log p(x)}   (nats per image, as the homework trains it)
// and the discrete NLL is nll_loss + D log nbins (each dequantization bin has
// volume nbins^-D), logged as "bits_per_dim" = (nll_loss + D log nbins) / (D log 2).
// sample(n): z ~ N(0, I), the inverse pass, then floor(clip(x nbins, 0, nbins - 1)) / (nbins - 1).
#pragma once
#include <memory>

#include "models/flows/logit_transform.h"
#include "models/flows/vit_coupling.h"
#include "models/model.h"
#include "nn/modules/container.h"

namespace dgm::models::flows {

class RealNVPViT : public GenerativeModel {
 public:
  RealNVPViT(const ViTConfig& config, int64_t n_couplings = 4, int64_t nbins = 2);
  std::string name() const override { return "RealNVPViT"; }
  std::string extra_repr() const override;

  // x -> (z, element-wise log-det) or, with invert, z -> (x, log-det of the inverse). `noise`: the
  // dequantization noise U[0,1) (x's shape) to use instead of drawing it.
  FlowOutput forward(const Tensor& x, bool invert, const Tensor& noise = {});
  using nn::Module::forward;
  // log p(x) per image (B), nats, of the dequantized x.
  Tensor log_prob(const Tensor& x, const Tensor& noise = {});

  Losses loss(const Batch& batch) override;
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;

  const ViTConfig& config() const { return config_; }

  std::shared_ptr<LogitTransform> preprocess;
  std::shared_ptr<nn::ModuleList> transforms;  // coupling, ActNorm, coupling, ActNorm, ...

 private:
  ViTConfig config_;
  int64_t n_couplings_, nbins_;
};

}  // namespace dgm::models::flows
