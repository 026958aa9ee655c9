// The forward SDEs of score-based generative modelling (lecture 11; Song et al., "Score-Based Generative Modeling
// through Stochastic Differential Equations", 2021), dx = f(x, t) dt + g(t) dw on t in [0, 1], each with its
// Gaussian transition kernel p_t(x | x0) = N(mean_coeff(t) x0, std(t)^2 I) in closed form and its prior p_1:
//
//   VESDE(sigma_min, sigma_max)   variance exploding (NCSN in continuous time; sigma_min < sigma_max)
//     sigma(t)     = sigma_min (sigma_max / sigma_min)^t
//     f(x, t)      = 0,   g(t) = sqrt(d sigma^2 / dt) = sigma(t) sqrt(2 log(sigma_max / sigma_min))
//     p_t(x | x0)  = N(x0, sigma(t)^2 - sigma(0)^2)                mean_coeff 1, std sqrt(sigma(t)^2 - sigma_min^2)
//     prior        N(0, sigma_max^2 I)  (the marginal at 1 is the data smoothed by sigma_max^2 - sigma_min^2:
//                  sigma_max is chosen of the order of the largest distance between data points)
//
//   VPSDE(beta_min, beta_max)     variance preserving (DDPM in continuous time; 0 < beta_min <= beta_max)
//     beta(t)      = beta_min + t (beta_max - beta_min)
//     f(x, t)      = -1/2 beta(t) x,   g(t) = sqrt(beta(t))
//     p_t(x | x0)  = N(x0 e^{-1/2 B(t)}, 1 - e^{-B(t)})
//                    B(t) = int_0^t beta = beta_min t + 1/2 t^2 (beta_max - beta_min)
//     prior        N(0, I)  (e^{-B(1)/2} = 0.0066 for Song's beta_min 0.1, beta_max 20)
//
// DDPM with T steps and beta_i is the VPSDE's Euler discretisation with beta(i / T) = T beta_i: its noise predictor
// is the score through score(x, t) = -eps(x, t) / std(t).
#pragma once
#include <memory>
#include <string>

#include "tensor/random.h"
#include "tensor/tensor.h"

namespace dgm::models::sde {

class ScoreSde {
 public:
  virtual ~ScoreSde() = default;
  virtual std::string name() const = 0;  // "VESDE(sigma_min=0.01, sigma_max=50)"
  // f(x, t), x's shape.
  virtual Tensor drift(const Tensor& x, double t) const = 0;
  // g(t), a scalar (the noise is the same in every coordinate).
  virtual double diffusion(double t) const = 0;
  // The transition kernel's mean coefficient and standard deviation at t (for t in [0, 1]).
  virtual double mean_coeff(double t) const = 0;
  virtual double marginal_std(double t) const = 0;
  // The same for one t per example: t (B) -> (B), t's dtype and device (what continuous-time DSM draws).
  virtual Tensor mean_coeff(const Tensor& t) const = 0;
  virtual Tensor marginal_std(const Tensor& t) const = 0;
  // The prior p_1 = N(0, prior_std^2 I).
  virtual double prior_std() const = 0;
  Tensor prior_sample(const Shape& shape, TensorOptions options = {}, Generator* gen = nullptr) const;
  // x_t = mean_coeff(t) x0 + std(t) z for x0 (B, ...), t (B), z x0's shape (the forward process at one t per example).
  Tensor perturb(const Tensor& x0, const Tensor& t, const Tensor& z) const;
};

class VESDE : public ScoreSde {
 public:
  VESDE(double sigma_min = 0.01, double sigma_max = 50);
  std::string name() const override;
  double sigma(double t) const;  // sigma_min (sigma_max / sigma_min)^t
  Tensor drift(const Tensor& x, double t) const override;
  double diffusion(double t) const override;
  double mean_coeff(double t) const override;
  double marginal_std(double t) const override;
  Tensor mean_coeff(const Tensor& t) const override;
  Tensor marginal_std(const Tensor& t) const override;
  double prior_std() const override { return sigma_max; }

  const double sigma_min, sigma_max;
};

class VPSDE : public ScoreSde {
 public:
  VPSDE(double beta_min = 0.1, double beta_max = 20);
  std::string name() const override;
  double beta(double t) const;             // beta_min + t (beta_max - beta_min)
  double integrated_beta(double t) const;  // B(t) = int_0^t beta
  Tensor drift(const Tensor& x, double t) const override;
  double diffusion(double t) const override;
  double mean_coeff(double t) const override;
  double marginal_std(double t) const override;
  Tensor mean_coeff(const Tensor& t) const override;
  Tensor marginal_std(const Tensor& t) const override;
  double prior_std() const override { return 1; }

  const double beta_min, beta_max;
};

// "ve" -> VESDE(sigma_min, sigma_max) with Song's 2-D defaults given by the caller, "vp" -> VPSDE; a dgm::Error
// naming the kind otherwise.
std::shared_ptr<ScoreSde> make_score_sde(const std::string& kind, double a, double b);

}  // namespace dgm::models::sde
