#include "models/sde/score_sde.h"

#include <cmath>
#include <sstream>

#include "tensor/error.h"
#include "tensor/factories.h"

namespace dgm::models::sde {

namespace {

void check_t(const Tensor& t, const char* who) {
  DGM_CHECK(t.defined() && t.dim() == 1 && (t.dtype() == kFloat32 || t.dtype() == kFloat64), who,
            ": expected times t (B) float, got ",
            t.defined() ? shape_str(t.shape()) + " " + dtype_name(t.dtype()) : std::string("none"));
}

// t (B) -> (B, 1, ..., 1) with x's number of dims, to scale examples of x.
Tensor per_example(const Tensor& c, const Tensor& x) {
  Shape shape(x.dim(), 1);
  shape[0] = c.size(0);
  return c.to(x.dtype()).reshape(shape);
}

}  // namespace

Tensor ScoreSde::prior_sample(const Shape& shape, TensorOptions options, Generator* gen) const {
  // x_1 ~ N(0, prior_std^2 I)
  return prior_std() * randn(shape, options, gen);
}

Tensor ScoreSde::perturb(const Tensor& x0, const Tensor& t, const Tensor& z) const {
  check_t(t, "ScoreSde::perturb");
  DGM_CHECK(x0.defined() && x0.dim() >= 1 && x0.size(0) == t.size(0) && z.defined() && z.shape() == x0.shape(),
            "ScoreSde::perturb: x0 ", x0.defined() ? shape_str(x0.shape()) : "none", ", t ", shape_str(t.shape()),
            " and z ", z.defined() ? shape_str(z.shape()) : "none", ": x0 needs one t per example and z x0's shape");
  // x_t = mean_coeff(t) x0 + std(t) z
  return per_example(mean_coeff(t), x0) * x0 + per_example(marginal_std(t), x0) * z;
}

// ---- VESDE ----

VESDE::VESDE(double sigma_min_, double sigma_max_) : sigma_min(sigma_min_), sigma_max(sigma_max_) {
  DGM_CHECK(std::isfinite(sigma_min) && std::isfinite(sigma_max) && sigma_min > 0 && sigma_max > sigma_min,
            "VESDE: needs 0 < sigma_min < sigma_max (got sigma_min ", sigma_min, ", sigma_max ", sigma_max, ")");
}

std::string VESDE::name() const {
  std::ostringstream s;
  s << "VESDE(sigma_min=" << sigma_min << ", sigma_max=" << sigma_max << ")";
  return s.str();
}

// sigma(t) = sigma_min (sigma_max / sigma_min)^t
double VESDE::sigma(double t) const { return sigma_min * std::pow(sigma_max / sigma_min, t); }

Tensor VESDE::drift(const Tensor& x, double) const { return zeros_like(x); }

// g(t) = sqrt(d sigma^2 / dt) = sigma(t) sqrt(2 log(sigma_max / sigma_min))
double VESDE::diffusion(double t) const { return sigma(t) * std::sqrt(2 * std::log(sigma_max / sigma_min)); }

double VESDE::mean_coeff(double) const { return 1; }

// std(t) = sqrt(sigma(t)^2 - sigma_min^2)
double VESDE::marginal_std(double t) const {
  const double s = sigma(t);
  return std::sqrt(std::max(0.0, s * s - sigma_min * sigma_min));
}

Tensor VESDE::mean_coeff(const Tensor& t) const {
  check_t(t, "VESDE::mean_coeff");
  return ones_like(t);
}

// std(t) = sigma_min sqrt((sigma_max / sigma_min)^{2t} - 1)  (by expm1: exact for small t)
Tensor VESDE::marginal_std(const Tensor& t) const {
  check_t(t, "VESDE::marginal_std");
  return sigma_min * ((2 * std::log(sigma_max / sigma_min)) * t).expm1().clamp_min(0).sqrt();
}

// ---- VPSDE ----

VPSDE::VPSDE(double beta_min_, double beta_max_) : beta_min(beta_min_), beta_max(beta_max_) {
  DGM_CHECK(std::isfinite(beta_min) && std::isfinite(beta_max) && beta_min > 0 && beta_max >= beta_min,
            "VPSDE: needs 0 < beta_min <= beta_max (got beta_min ", beta_min, ", beta_max ", beta_max, ")");
}

std::string VPSDE::name() const {
  std::ostringstream s;
  s << "VPSDE(beta_min=" << beta_min << ", beta_max=" << beta_max << ")";
  return s.str();
}

// beta(t) = beta_min + t (beta_max - beta_min)
double VPSDE::beta(double t) const { return beta_min + t * (beta_max - beta_min); }

// B(t) = beta_min t + 1/2 t^2 (beta_max - beta_min)
double VPSDE::integrated_beta(double t) const { return beta_min * t + 0.5 * t * t * (beta_max - beta_min); }

// f(x, t) = -1/2 beta(t) x
Tensor VPSDE::drift(const Tensor& x, double t) const { return (-0.5 * beta(t)) * x; }

// g(t) = sqrt(beta(t))
double VPSDE::diffusion(double t) const { return std::sqrt(beta(t)); }

// mean_coeff(t) = e^{-B(t) / 2}
double VPSDE::mean_coeff(double t) const { return std::exp(-0.5 * integrated_beta(t)); }

// std(t) = sqrt(1 - e^{-B(t)})  (-expm1 keeps it exact for small t)
double VPSDE::marginal_std(double t) const { return std::sqrt(-std::expm1(-integrated_beta(t))); }

Tensor VPSDE::mean_coeff(const Tensor& t) const {
  check_t(t, "VPSDE::mean_coeff");
  const Tensor B = beta_min * t + (0.5 * (beta_max - beta_min)) * t.square();
  return (-0.5 * B).exp();
}

Tensor VPSDE::marginal_std(const Tensor& t) const {
  check_t(t, "VPSDE::marginal_std");
  const Tensor B = beta_min * t + (0.5 * (beta_max - beta_min)) * t.square();
  return (-(-B).expm1()).clamp_min(0).sqrt();  // 1 - e^{-B} by expm1: exact for small t
}

std::shared_ptr<ScoreSde> make_score_sde(const std::string& kind, double a, double b) {
  if (kind == "ve") return std::make_shared<VESDE>(a, b);
  if (kind == "vp") return std::make_shared<VPSDE>(a, b);
  throw Error("make_score_sde: unknown SDE '" + kind + "' (ve, vp)");
}

}  // namespace dgm::models::sde
