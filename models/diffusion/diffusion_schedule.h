// The Gaussian diffusion of DDPM (lecture 8, homework 5 task 2), as the course writes it:
//
//   cosine schedule (Nichol & Dhariwal 2021), float64, s = 0.008:
//     f(t) = cos(((t/T + s) / (1 + s)) pi/2)^2,  abar_t = f(t) / f(0),  beta_t = min(1 - abar_t / abar_{t-1}, 0.999)
//     alpha_t = 1 - beta_t,  alphas_cumprod = cumprod(alpha)   (index t = 0..T-1 is the course's t)
//   forward   q(x_t | x_0) = N(sqrt(abar_t) x_0, (1 - abar_t) I)                                   (hw5.1)
//   reverse   q(x_{t-1} | x_t, x_0) = N(mu~_t, beta~_t I)                                          (hw5.2)
//     x_0       = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t), clamped into clip_range when it is set
//     mu~_t     = sqrt(abar_{t-1}) beta_t / (1 - abar_t) x_0 + sqrt(alpha_t) (1 - abar_{t-1}) / (1 - abar_t) x_t
//     beta~_t   = (1 - abar_{t-1}) / (1 - abar_t) beta_t    (abar_{-1} = 1, so beta~_0 = 0: the last step is the mean)
//
// The schedule's arrays stay float64 (T); extract_into_tensor gathers the entries of a batch of timesteps and casts
// them to the data's dtype and device, shaped to broadcast against x. The golden values of the notebook (T = 100,
// t = 5, x0 = ones): mean 0.9944681, variance 0.01103322, x_t with unit noise 1.0995072; x_t = eps = ones:
// x0 0.8999391, mean 0.9723116, variance 0.00222036 (tests/course/test_hw5_diffusion.cpp).
#pragma once
#include <optional>
#include <utility>

#include "tensor/random.h"
#include "tensor/tensor.h"

namespace dgm::models::diffusion {

// betas_t = min(1 - abar_t / abar_{t-1}, max_beta), t = 1..T, as a (T) float64 tensor.
Tensor cosine_beta_schedule(int64_t num_timesteps, double s = 0.008, double max_beta = 0.999);

// arr[t] for a batch t (B) int64, as (B, 1, ..., 1) expanded to broadcast_shape, in `like`'s dtype and device.
Tensor extract_into_tensor(const Tensor& arr, const Tensor& t, const Shape& broadcast_shape, const Tensor& like);

class BaseDiffusion {
 public:
  explicit BaseDiffusion(int64_t num_timesteps);
  int64_t num_timesteps;
  Tensor betas, alphas, alphas_cumprod;  // (T) float64

 protected:
  // t (B) int64 in [0, T) on any device, matching x's batch; a dgm::Error naming `who` otherwise.
  void check_timesteps(const Tensor& x, const Tensor& t, const char* who) const;
};

class ForwardDiffusion : public BaseDiffusion {
 public:
  using BaseDiffusion::BaseDiffusion;
  // {mean, variance} of q(x_t | x_0), both of x0's shape.
  std::pair<Tensor, Tensor> get_mean_variance(const Tensor& x0, const Tensor& t) const;
  // x_t = mean + sqrt(variance) noise; noise ~ N(0, I) from gen when not given.
  Tensor get_samples(const Tensor& x0, const Tensor& t, const Tensor& noise = {}, Generator* gen = nullptr) const;
};

class ReverseDiffusion : public BaseDiffusion {
 public:
  explicit ReverseDiffusion(int64_t num_timesteps, std::optional<std::pair<double, double>> clip_range = std::nullopt);
  // x_0 predicted from x_t and eps, clamped into clip_range when set.
  Tensor get_x0(const Tensor& xt, const Tensor& eps, const Tensor& t) const;
  // {mean, variance} of q(x_{t-1} | x_t, x_0 = get_x0(xt, eps, t)).
  std::pair<Tensor, Tensor> get_mean_variance(const Tensor& xt, const Tensor& eps, const Tensor& t) const;
  // x_{t-1} = mean + sqrt(variance) z, z ~ N(0, I) from gen; float32 like xt.
  Tensor get_samples(const Tensor& xt, const Tensor& eps, const Tensor& t, Generator* gen = nullptr) const;

  std::optional<std::pair<double, double>> clip_range;
  Tensor alphas_cumprod_prev;  // (T) float64: abar_{t-1}, with abar_{-1} = 1
  Tensor variance;             // (T) float64: beta~_t
  Tensor x0_coef, xt_coef;     // (T) float64: the two coefficients of mu~_t
};

}  // namespace dgm::models::diffusion
