// Spectral normalization (Miyato et al. 2018; lecture 6), as torch.nn.utils.spectral_norm with
// n_power_iterations = 1 and eps = 1e-12, written as layers that own their weight instead of a hook:
//
//   W_mat = weight_orig reshaped to (out, in * kH * kW)
//   training forward, one power-iteration step from the stored u:
//     v <- normalize(W_mat^T u),  u <- normalize(W_mat v)      (normalize(a) = a / max(||a||_2, eps))
//   sigma = u^T W_mat v  (u, v constants: no gradient flows through them)
//   weight = weight_orig / sigma
//
// u (out) and v (in * kH * kW) are buffers "weight_u", "weight_v" in the state dict, so a resumed run continues
// the same power iteration; in eval mode they are not updated (sigma is computed from the stored pair).
// They start as normalize(N(0, I)) draws. The trained parameter is "weight_orig", as PyTorch names it.
#pragma once
#include "nn/functional/conv.h"
#include "nn/module.h"

namespace dgm {
class Generator;
}

namespace dgm::nn {

// weight / (u^T W_mat v), W_mat = weight.flatten(1): differentiable in weight, u and v taken as they are.
Tensor spectral_normalize(const Tensor& weight, const Tensor& u, const Tensor& v);

// One power-iteration step in place on u (rows of W_mat) and v (columns), without a graph.
void power_iteration_(const Tensor& weight, Tensor& u, Tensor& v, double eps = 1e-12);

// The shared part of both layers: weight_orig, weight_u, weight_v registered on `owner`.
class SpectralNormWeight {
 public:
  SpectralNormWeight() = default;
  SpectralNormWeight(Module& owner, const Tensor& weight, double eps, Generator* gen);
  // The normalized weight; in training mode after one power-iteration step.
  Tensor compute(bool training);
  Tensor weight_orig, weight_u, weight_v;
  double eps = 1e-12;
};

// y = x (W / sigma(W))^T + b.
class SpectralNormLinear : public Module {
 public:
  SpectralNormLinear(int64_t in_features, int64_t out_features, bool bias = true, double eps = 1e-12,
                     Generator* gen = nullptr);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "SpectralNormLinear"; }
  std::string extra_repr() const override;
  // The normalized weight as the next forward would use it (in eval mode: without updating u, v).
  Tensor weight();
  // sigma = u^T W_mat v with the stored u, v.
  double sigma() const;

  int64_t in_features, out_features;
  SpectralNormWeight sn;
  Tensor bias;
};

// conv2d(x, W / sigma(W), b), W_mat = W.flatten(1) (out, in * kH * kW) as PyTorch (dim 0).
class SpectralNormConv2d : public Module {
 public:
  SpectralNormConv2d(int64_t in_channels, int64_t out_channels, Int2 kernel_size, Int2 stride = 1, Int2 padding = 0,
                     bool bias = true, double eps = 1e-12, Generator* gen = nullptr);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "SpectralNormConv2d"; }
  std::string extra_repr() const override;
  double sigma() const;

  int64_t in_channels, out_channels;
  Int2 kernel_size, stride, padding;
  SpectralNormWeight sn;
  Tensor bias;
};

}  // namespace dgm::nn
