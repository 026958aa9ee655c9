#include "models/diffusion/diffusion_schedule.h"

#include <cmath>
#include <vector>

#include "autograd/ops/shape_ops.h"
#include "tensor/error.h"
#include "tensor/factories.h"

namespace dgm::models::diffusion {

// f(t) = cos(((t/T + s)/(1 + s)) pi/2)^2; beta_t = min(1 - f(t)/f(t-1), max_beta)
Tensor cosine_beta_schedule(int64_t num_timesteps, double s, double max_beta) {
  DGM_CHECK(num_timesteps > 0, "cosine_beta_schedule: num_timesteps must be positive, got ", num_timesteps);
  DGM_CHECK(s > 0 && max_beta > 0 && max_beta < 1,
            "cosine_beta_schedule: expected s > 0 and max_beta in (0, 1), got s ", s, ", max_beta ", max_beta);
  const double T = static_cast<double>(num_timesteps);
  auto f = [&](double t) {
    const double c = std::cos(((t / T + s) / (1 + s)) * M_PI / 2);
    return c * c;
  };
  std::vector<double> betas(num_timesteps);
  for (int64_t t = 1; t <= num_timesteps; ++t)
    betas[t - 1] = std::min(1 - (f(static_cast<double>(t)) / f(0)) / (f(static_cast<double>(t - 1)) / f(0)), max_beta);
  return tensor(betas, {num_timesteps});
}

Tensor extract_into_tensor(const Tensor& arr, const Tensor& t, const Shape& broadcast_shape, const Tensor& like) {
  DGM_CHECK(arr.dim() == 1 && t.dim() == 1 && t.dtype() == kInt64,
            "extract_into_tensor: expected a 1-D schedule and "
            "timesteps (B) int64, got ",
            shape_str(arr.shape()), " and ", shape_str(t.shape()), " ", dtype_name(t.dtype()));
  DGM_CHECK(!broadcast_shape.empty() && broadcast_shape[0] == t.size(0), "extract_into_tensor: timesteps ",
            shape_str(t.shape()), " do not match the batch of ", shape_str(broadcast_shape));
  Tensor res = arr.index_select(0, t.to(arr.device())).to(like.dtype()).to(like.device());
  Shape view(broadcast_shape.size(), 1);
  view[0] = t.size(0);
  return res.view(view).expand(broadcast_shape);
}

BaseDiffusion::BaseDiffusion(int64_t num_timesteps_) : num_timesteps(num_timesteps_) {
  betas = cosine_beta_schedule(num_timesteps);
  alphas = 1.0 - betas;
  alphas_cumprod = alphas.cumprod(0);
}

void BaseDiffusion::check_timesteps(const Tensor& x, const Tensor& t, const char* who) const {
  DGM_CHECK(x.defined() && x.dim() >= 1 && t.defined() && t.dim() == 1 && t.dtype() == kInt64 && t.size(0) == x.size(0),
            who, ": expected x (B, ...) and timesteps t (B) int64, got x ", x.defined() ? shape_str(x.shape()) : "none",
            " and t ", t.defined() ? shape_str(t.shape()) + " " + dtype_name(t.dtype()) : "none");
  if (t.numel() == 0) return;
  const Tensor tc = t.to(kCPU);
  const int64_t lo = tc.min().item<int64_t>(), hi = tc.max().item<int64_t>();
  DGM_CHECK(lo >= 0 && hi < num_timesteps, who, ": timesteps must be in [0, ", num_timesteps, "), got [", lo, ", ", hi,
            "]");
}

std::pair<Tensor, Tensor> ForwardDiffusion::get_mean_variance(const Tensor& x0, const Tensor& t) const {
  check_timesteps(x0, t, "ForwardDiffusion::get_mean_variance");
  // BEGIN SOLUTION hw5.1/mean_variance
  // q(x_t | x_0) = N(sqrt(abar_t) x_0, (1 - abar_t) I)
  // (computed on the float64 arrays, then extracted: 1 - abar in float32 would lose digits near t = 0)
  const Tensor mean_coef = extract_into_tensor(alphas_cumprod.sqrt(), t, x0.shape(), x0);
  return {mean_coef * x0, extract_into_tensor(1.0 - alphas_cumprod, t, x0.shape(), x0)};
  // END SOLUTION
}

Tensor ForwardDiffusion::get_samples(const Tensor& x0, const Tensor& t, const Tensor& noise, Generator* gen) const {
  DGM_CHECK(!noise.defined() || noise.shape() == x0.shape(), "ForwardDiffusion::get_samples: noise ",
            shape_str(noise.shape()), " must have x0's shape ", shape_str(x0.shape()));
  // BEGIN SOLUTION hw5.1/samples
  // x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps
  const Tensor eps = noise.defined() ? noise : randn_like(x0, gen);
  auto [mean, variance] = get_mean_variance(x0, t);
  return mean + variance.sqrt() * eps;
  // END SOLUTION
}

ReverseDiffusion::ReverseDiffusion(int64_t num_timesteps_, std::optional<std::pair<double, double>> clip_range_)
    : BaseDiffusion(num_timesteps_), clip_range(clip_range_) {
  DGM_CHECK(!clip_range || clip_range->first < clip_range->second,
            "ReverseDiffusion: clip_range must be (lo, hi) with "
            "lo < hi, got (",
            clip_range ? clip_range->first : 0, ", ", clip_range ? clip_range->second : 0, ")");
  // abar_{t-1}, with abar_{-1} = 1 (given)
  alphas_cumprod_prev = cat({ones({1}, kFloat64), alphas_cumprod.narrow(0, 0, num_timesteps - 1)}, 0);
  // BEGIN SOLUTION hw5.2/init
  // beta~_t = (1 - abar_{t-1}) / (1 - abar_t) beta_t
  variance = (1.0 - alphas_cumprod_prev) / (1.0 - alphas_cumprod) * betas;
  // mu~_t = sqrt(abar_{t-1}) beta_t / (1 - abar_t) x_0 + sqrt(alpha_t) (1 - abar_{t-1}) / (1 - abar_t) x_t
  x0_coef = alphas_cumprod_prev.sqrt() * betas / (1.0 - alphas_cumprod);
  xt_coef = alphas.sqrt() * (1.0 - alphas_cumprod_prev) / (1.0 - alphas_cumprod);
  // END SOLUTION
}

Tensor ReverseDiffusion::get_x0(const Tensor& xt, const Tensor& eps, const Tensor& t) const {
  check_timesteps(xt, t, "ReverseDiffusion::get_x0");
  DGM_CHECK(eps.shape() == xt.shape(), "ReverseDiffusion::get_x0: eps ", shape_str(eps.shape()),
            " must have x_t's shape ", shape_str(xt.shape()));
  // BEGIN SOLUTION hw5.2/x0
  // x_0 = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t)
  const Tensor noise_coef = extract_into_tensor((1.0 - alphas_cumprod).sqrt(), t, xt.shape(), xt);
  Tensor x0 = (xt - noise_coef * eps) / extract_into_tensor(alphas_cumprod.sqrt(), t, xt.shape(), xt);
  if (clip_range) x0 = x0.clamp(clip_range->first, clip_range->second);
  return x0;
  // END SOLUTION
}

std::pair<Tensor, Tensor> ReverseDiffusion::get_mean_variance(const Tensor& xt, const Tensor& eps,
                                                              const Tensor& t) const {
  // BEGIN SOLUTION hw5.2/mean_variance
  const Tensor x0 = get_x0(xt, eps, t);
  const Tensor mean =
      extract_into_tensor(x0_coef, t, xt.shape(), xt) * x0 + extract_into_tensor(xt_coef, t, xt.shape(), xt) * xt;
  return {mean, extract_into_tensor(variance, t, xt.shape(), xt)};
  // END SOLUTION
}

Tensor ReverseDiffusion::get_samples(const Tensor& xt, const Tensor& eps, const Tensor& t, Generator* gen) const {
  // BEGIN SOLUTION hw5.2/samples
  // x_{t-1} = mu~_t + sqrt(beta~_t) z (beta~_0 = 0: no noise on the last step)
  auto [mean, var] = get_mean_variance(xt, eps, t);
  return mean + var.sqrt() * randn_like(xt, gen);
  // END SOLUTION
}

}  // namespace dgm::models::diffusion
