#include "models/sde/ddpm_vp_sde.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "tensor/error.h"
#include "tensor/factories.h"

namespace dgm::models::sde {

DdpmVpSde::DdpmVpSde(const Tensor& alphas_cumprod) {
  DGM_CHECK(alphas_cumprod.defined() && alphas_cumprod.dim() == 1 && alphas_cumprod.size(0) >= 1,
            "DdpmVpSde: expected alphas_cumprod (T), got ",
            alphas_cumprod.defined() ? shape_str(alphas_cumprod.shape()) : "none");
  double previous = 1;
  for (double a : alphas_cumprod.to_vector<double>()) {
    DGM_CHECK(std::isfinite(a) && a > 0 && a <= previous, "DdpmVpSde: alphas_cumprod must decrease within (0, 1], ",
              "got ", a, " after ", previous);
    log_abar_.push_back(std::log(a));
    previous = a;
  }
}

std::string DdpmVpSde::name() const {
  std::ostringstream s;
  s << "DdpmVpSde(T=" << num_timesteps() << ")";
  return s.str();
}

double DdpmVpSde::time_of(int64_t i) const { return static_cast<double>(i + 1) / static_cast<double>(num_timesteps()); }

int64_t DdpmVpSde::timestep(double t) const {
  const auto i = static_cast<int64_t>(std::llround(t * static_cast<double>(num_timesteps()))) - 1;
  return std::clamp<int64_t>(i, 0, num_timesteps() - 1);
}

// log abar(t): linear between (t_{i-1}, log abar_{i-1}) and (t_i, log abar_i), t_{-1} = 0, log abar_{-1} = 0
double DdpmVpSde::log_abar(double t) const {
  const double T = static_cast<double>(num_timesteps());
  const double u = std::clamp(t, 0.0, 1.0) * T;  // in [0, T]: piece k = ceil(u) - 1 spans (k, k + 1]
  const int64_t k = std::clamp<int64_t>(static_cast<int64_t>(std::ceil(u)) - 1, 0, num_timesteps() - 1);
  const double lo = k == 0 ? 0.0 : log_abar_[k - 1];
  return lo + (u - static_cast<double>(k)) * (log_abar_[k] - lo);
}

// beta(t) = T (log abar_{k-1} - log abar_k) on piece k
double DdpmVpSde::beta(double t) const {
  const double T = static_cast<double>(num_timesteps());
  const int64_t k =
      std::clamp<int64_t>(static_cast<int64_t>(std::ceil(std::clamp(t, 0.0, 1.0) * T)) - 1, 0, num_timesteps() - 1);
  const double lo = k == 0 ? 0.0 : log_abar_[k - 1];
  return T * (lo - log_abar_[k]);
}

// f(x, t) = -1/2 beta(t) x
Tensor DdpmVpSde::drift(const Tensor& x, double t) const { return (-0.5 * beta(t)) * x; }

double DdpmVpSde::diffusion(double t) const { return std::sqrt(beta(t)); }

// sqrt(abar(t))
double DdpmVpSde::mean_coeff(double t) const { return std::exp(0.5 * log_abar(t)); }

// sqrt(1 - abar(t))
double DdpmVpSde::marginal_std(double t) const { return std::sqrt(-std::expm1(log_abar(t))); }

Tensor DdpmVpSde::mean_coeff(const Tensor& t) const {
  std::vector<double> v;
  DGM_CHECK(t.defined() && t.dim() == 1, "DdpmVpSde::mean_coeff: expected times t (B), got ",
            t.defined() ? shape_str(t.shape()) : "none");
  for (double u : t.to_vector<double>()) v.push_back(mean_coeff(u));
  return tensor(v, t.shape()).to(t.dtype()).to(t.device());
}

Tensor DdpmVpSde::marginal_std(const Tensor& t) const {
  std::vector<double> v;
  DGM_CHECK(t.defined() && t.dim() == 1, "DdpmVpSde::marginal_std: expected times t (B), got ",
            t.defined() ? shape_str(t.shape()) : "none");
  for (double u : t.to_vector<double>()) v.push_back(marginal_std(u));
  return tensor(v, t.shape()).to(t.dtype()).to(t.device());
}

// s(x, t) = -eps_theta(x, i(t)) / sqrt(1 - abar(t))
ScoreFunction ddpm_score(const EpsFunction& eps, const DdpmVpSde& sde) {
  return [eps, &sde](const Tensor& x, double t) {
    const Tensor steps =
        full({x.size(0)}, static_cast<double>(sde.timestep(t)), TensorOptions().dtype(kInt64).device(x.device()));
    return eps(x, steps) * (-1.0 / sde.marginal_std(t));
  };
}

}  // namespace dgm::models::sde
