// Glow (Kingma & Dhariwal 2018; lecture 2: coupling + invertible 1x1 conv)
// for 256-level images such as MNIST, multi-scale as the paper's figure 2b:
//
//   x in {0, 1/255, ..., 1}^(C,H,W)           (scale_01 of the pixels)
//   y = (255 x + u) / 256,  u ~ U[0,1)        (uniform dequantization, dequantize.h)
//   h = y - 0.5                               (Glow's centering; a shift, log|det| = 0)
//   for level l = 1..L:
//     h = squeeze2x2(h)                       (C,H,W) -> (4C,H/2,W/2), log|det| = 0
//     h = K GlowSteps(h)                      ActNorm -> 1x1 conv -> affine coupling (glow_step.h)
//     if l < L: z_l, h = split(h)             half the channels factored out to a Gaussian prior:
//               z_l ~ N(mean_l(h), exp(log_std_l(h))^2)   (Glow's learned split prior, a zero-initialized
//                                                          3x3 conv of the kept half; N(0, I) at the start,
//                                                          or always with learned_split_prior = false)
//   z_L = h ~ N(0, I)
//
//   log p(y) = sum_{l<L} log N(z_l; mean_l, std_l^2) + log N(z_L; 0, I) + sum of the steps' log|det|
//              (a density on [0,1)^D: the prior's change of variables eps_l = (z_l - mean_l)/std_l is
//              triangular given the kept half, so the latents' density is the product of the priors)
//   loss:  loss         = -mean log p(y)    nats per image (of the dequantized y, the continuous density)
//          bits_per_dim = (loss + D log 256) / (D log 2) = loss / (D ln 2) + 8
//   (each of the 256^D dequantization bins has volume 256^-D, so loss + D log 256 bounds
//   the discrete NLL from above; D = C H W).
// For MNIST (1,28,28): level 1 runs on (4,14,14) and factors out (2,14,14); level 2 runs on
// (8,7,7). L <= 2 there (7 is odd); L = 1 is a single-scale Glow on (4,14,14).
//
// sample(n): z_L ~ N(0, I), then down the levels z_l = mean_l + std_l eps_l, eps_l ~ N(0, I), and
// the inverse pass; then floor(clip(y 256, 0, 255)) / 255 (back on the 256 levels).
// sample_with_temperature scales every eps by T (the paper's reduced-temperature samples, T = 0.7).
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
  bool learned_split_prior = true;  // false: every z_l ~ N(0, I)
  int64_t nbins = 256;
};

class Glow : public GenerativeModel {
 public:
  explicit Glow(GlowConfig config, Generator* gen = nullptr);
  std::string name() const override { return "Glow"; }
  std::string extra_repr() const override;

  struct Latents {
    std::vector<Tensor> z;     // z_1 .. z_L, shapes latent_shapes()
    Tensor log_det;            // (B): sum of the steps' log|det|
    Tensor log_prior;          // (B): sum_l log p(z_l | kept half) + log N(z_L; 0, I)
    std::vector<Tensor> kept;  // the kept half at each split, what the split prior reads (L - 1 of them)
  };
  // y (B,C,H,W) in [0,1) (dequantized) -> the latents and the log-det.
  Latents encode(const Tensor& y);
  // The latents -> y; the inverse of encode (the priors play no part).
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

  std::vector<std::shared_ptr<nn::ModuleList>> levels;    // K GlowSteps each
  std::vector<std::shared_ptr<nn::Conv2d>> split_priors;  // L - 1 convs (with learned_split_prior)

 private:
  void check_images(const char* what, const Tensor& x) const;
  // (mean, log std) of the factored-out z_l given the kept half.
  std::pair<Tensor, Tensor> split_prior(size_t level, const Tensor& kept);
  // decode (z the latents), or sampling (z the N(0, I) noise of each level, scaled by temperature).
  Tensor run_inverse(const std::vector<Tensor>& z, bool from_noise, double temperature);

  GlowConfig config_;
  std::vector<std::vector<int64_t>> latent_shapes_;
};

}  // namespace dgm::models::flows
