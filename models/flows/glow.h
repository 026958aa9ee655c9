// Glow (Kingma & Dhariwal 2018; lecture 2: coupling + invertible 1x1 conv)
// for 256-level images such as MNIST, multi-scale as the paper's figure 2b:
//
//   x in {0, 1/255, ..., 1}^(C,H,W)           (scale_01 of the pixels)
//   y = (255 x + u) / 256,  u ~ U[0,1)        (uniform dequantization, dequantize.h)
//   h = y - 0.5                               (Glow's centering; a shift, log|det| = 0)
//   for level l = 1..L:
//     h = squeeze2x2(h)                       (C,H,W) -> (4C,H/2,W/2), log|det| = 0
//     h = K GlowSteps(h)                      ActNorm -> 1x1 conv -> affine coupling (glow_step.h)
//     if l < L: z_l, h = split(h)             half the channels factored out to N(0, I)
//   z_L = h ~ N(0, I)
//
//   log p(y) = sum_l log N(z_l; 0, I) + sum of the steps' log|det|      (a density on [0,1)^D)
//   loss:  nll_loss     = -mean log p(y)    nats per image (of the dequantized y, the continuous density)
//          bits_per_dim = (nll_loss + D log 256) / (D log 2) = nll_loss / (D ln 2) + 8
//   (each of the 256^D dequantization bins has volume 256^-D, so nll_loss + D log 256 bounds
//   the discrete NLL from above; D = C H W).
// For MNIST (1,28,28): level 1 runs on (4,14,14) and factors out (2,14,14); level 2 runs on
// (8,7,7). L <= 2 there (7 is odd); L = 1 is a single-scale Glow on (4,14,14).
//
// sample(n): z_l ~ N(0, I) at every level, the inverse pass, then
// floor(clip(y 256, 0, 255)) / 255 (back on the 256 levels). sample_with_temperature draws
// z_l ~ N(0, T^2 I) (the paper's reduced-temperature samples, T = 0.7).
#pragma once
#include <memory>
#include <vector>

#include "models/flows/glow_step.h"
#include "models/model.h"
#include "nn/modules/container.h"

namespace dgm::models::flows {

struct GlowConfig {
  std::vector<int64_t> input_shape = {1, 28, 28};  // (C, H, W)
  int64_t levels = 2;                              // L
  int64_t steps_per_level = 4;                     // K
  int64_t hidden_channels = 64;                    // width of the couplings' CNNs
  MatrixParametrization conv = MatrixParametrization::kLU;
  int64_t nbins = 256;
};

class Glow : public GenerativeModel {
 public:
  explicit Glow(GlowConfig config, Generator* gen = nullptr);
  std::string name() const override { return "Glow"; }
  std::string extra_repr() const override;

  struct Latents {
    std::vector<Tensor> z;  // z_1 .. z_L, shapes latent_shapes()
    Tensor log_det;         // (B): sum of the steps' log|det|
  };
  // y (B,C,H,W) in [0,1) (dequantized) -> the latents and the log-det.
  Latents encode(const Tensor& y);
  // The latents -> y; the inverse of encode.
  Tensor decode(const std::vector<Tensor>& z);
  // log p(y) per image (B), nats; x on the 256 levels, `noise` the dequantization noise (null: drawn).
  Tensor log_prob(const Tensor& x, const Tensor& noise = {});

  Losses loss(const Batch& batch) override;
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;
  Tensor sample_with_temperature(int64_t n, double temperature, Generator* gen = nullptr);
  // samples.png (T = 1) and samples_temperature_0.7.png.
  void save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) override;

  // One example's shape of z_l, l = 1..L.
  const std::vector<std::vector<int64_t>>& latent_shapes() const { return latent_shapes_; }
  const GlowConfig& config() const { return config_; }

  std::vector<std::shared_ptr<nn::ModuleList>> levels;  // K GlowSteps each

 private:
  void check_images(const char* what, const Tensor& x) const;

  GlowConfig config_;
  std::vector<std::vector<int64_t>> latent_shapes_;
};

}  // namespace dgm::models::flows
