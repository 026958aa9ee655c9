// Classical EM for a Gaussian mixture (lecture 3, seminar 4), in float64 on
// the CPU, with no autograd: what the `gmm-em` model runs each step.
//
// Model: p(x) = sum_k pi_k N(x; mu_k, Sigma_k), x in R^D, K components.
// E-step: responsibilities r_ik = q(z_i = k) = pi_k N(x_i; mu_k, Sigma_k) / p(x_i),
//         the exact posterior, so the ELBO equals log p(x) at the current parameters.
// M-step: argmax of Q(theta) = sum_i sum_k r_ik [log pi_k + log N(x_i; mu_k, Sigma_k)]:
//         N_k = sum_i r_ik,  pi_k = N_k / N,  mu_k = sum_i r_ik x_i / N_k,
//         Sigma_k = sum_i r_ik (x_i - mu_k)(x_i - mu_k)^T / N_k  (+ reg I; the seminar's reg = 1e-5).
// With reg = 0 each step cannot decrease sum_i log p(x_i) (the EM theorem:
// log p = Q - H and the M-step raises Q while any change of q raises the entropy term).
// With reg > 0 the M-step is only near the argmax of Q (a second-order loss in reg).
#pragma once
#include <cstdint>
#include <vector>

namespace dgm::models::lvm {

struct MixtureParams {
  int64_t K = 0, D = 0;
  std::vector<double> weights;      // (K), positive, summing to 1
  std::vector<double> means;        // (K, D) row-major
  std::vector<double> covariances;  // (K, D, D) row-major, symmetric positive definite
};

// The lower Cholesky factor L of an SPD (D, D) matrix A = L L^T; a dgm::Error
// if A is not positive definite (a non-positive pivot).
std::vector<double> cholesky(const std::vector<double>& a, int64_t d);

// log N(x; mean, L L^T) for one point, through z = L^{-1} (x - mean) by forward substitution:
// -1/2 |z|^2 - sum_i log L_ii - D/2 log(2 pi).
double normal_log_density(const double* x, const double* mean, const std::vector<double>& l, int64_t d);

// E-step on the points x (N, D): the responsibilities (N, K) into `resp`
// (when not null), and returns sum_i log p(x_i) at `params`.
double e_step(const std::vector<double>& x, const MixtureParams& params, std::vector<double>* resp);

// M-step: the closed form above from the points x (N, D) and responsibilities (N, K).
MixtureParams m_step(const std::vector<double>& x, const std::vector<double>& resp, int64_t K, int64_t D,
                     double reg = 1e-5);

}  // namespace dgm::models::lvm
