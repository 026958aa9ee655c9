#include "models/lvm/em.h"

#include <algorithm>
#include <cmath>

#include "tensor/error.h"

namespace dgm::models::lvm {

namespace {
constexpr double kLog2Pi = 1.8378770664093454836;
}

std::vector<double> cholesky(const std::vector<double>& a, int64_t d) {
  DGM_CHECK(d > 0 && static_cast<int64_t>(a.size()) == d * d, "cholesky: expected a ", d, "x", d, " matrix, got ",
            a.size(), " values");
  std::vector<double> l(a.size(), 0.0);
  for (int64_t j = 0; j < d; ++j) {
    // L_jj = sqrt(A_jj - sum_{k<j} L_jk^2),  L_ij = (A_ij - sum_{k<j} L_ik L_jk) / L_jj
    double s = a[j * d + j];
    for (int64_t k = 0; k < j; ++k) s -= l[j * d + k] * l[j * d + k];
    DGM_CHECK(s > 0 && std::isfinite(s), "cholesky: the matrix is not positive definite (pivot ", j, " is ", s, ")");
    l[j * d + j] = std::sqrt(s);
    for (int64_t i = j + 1; i < d; ++i) {
      double t = a[i * d + j];
      for (int64_t k = 0; k < j; ++k) t -= l[i * d + k] * l[j * d + k];
      l[i * d + j] = t / l[j * d + j];
    }
  }
  return l;
}

double normal_log_density(const double* x, const double* mean, const std::vector<double>& l, int64_t d) {
  double quad = 0, log_det = 0;
  std::vector<double> z(static_cast<size_t>(d));
  for (int64_t i = 0; i < d; ++i) {
    // z_i = (x_i - mean_i - sum_{j<i} L_ij z_j) / L_ii
    double t = x[i] - mean[i];
    for (int64_t j = 0; j < i; ++j) t -= l[i * d + j] * z[j];
    z[i] = t / l[i * d + i];
    quad += z[i] * z[i];
    log_det += std::log(l[i * d + i]);
  }
  return -0.5 * quad - log_det - 0.5 * static_cast<double>(d) * kLog2Pi;
}

double e_step(const std::vector<double>& x, const MixtureParams& p, std::vector<double>* resp) {
  const int64_t K = p.K, D = p.D;
  DGM_CHECK(K > 0 && D > 0 && static_cast<int64_t>(x.size()) % D == 0, "e_step: expected points (N,", D,
            ") for a mixture of ", K, " components, got ", x.size(), " values");
  const int64_t N = static_cast<int64_t>(x.size()) / D;
  std::vector<std::vector<double>> chol;
  for (int64_t k = 0; k < K; ++k)
    chol.push_back(
        cholesky(std::vector<double>(p.covariances.begin() + k * D * D, p.covariances.begin() + (k + 1) * D * D), D));
  if (resp) resp->assign(static_cast<size_t>(N * K), 0.0);
  std::vector<double> t(static_cast<size_t>(K));
  double total = 0;
  for (int64_t i = 0; i < N; ++i) {
    // log p(x_i) = logsumexp_k [log pi_k + log N(x_i; mu_k, Sigma_k)];  r_ik = exp(term_k - log p(x_i))
    for (int64_t k = 0; k < K; ++k)
      t[k] = std::log(p.weights[k]) + normal_log_density(&x[i * D], &p.means[k * D], chol[k], D);
    const double m = *std::max_element(t.begin(), t.end());
    double s = 0;
    for (double v : t) s += std::exp(v - m);
    const double log_p = m + std::log(s);
    total += log_p;
    if (resp)
      for (int64_t k = 0; k < K; ++k) (*resp)[i * K + k] = std::exp(t[k] - log_p);
  }
  return total;
}

MixtureParams m_step(const std::vector<double>& x, const std::vector<double>& resp, int64_t K, int64_t D, double reg) {
  DGM_CHECK(K > 0 && D > 0 && static_cast<int64_t>(x.size()) % D == 0, "m_step: expected points (N,", D, "), got ",
            x.size(), " values");
  const int64_t N = static_cast<int64_t>(x.size()) / D;
  DGM_CHECK(static_cast<int64_t>(resp.size()) == N * K, "m_step: expected responsibilities (", N, ",", K, "), got ",
            resp.size(), " values");
  MixtureParams p;
  p.K = K;
  p.D = D;
  p.weights.assign(K, 0.0);
  p.means.assign(K * D, 0.0);
  p.covariances.assign(K * D * D, 0.0);
  for (int64_t k = 0; k < K; ++k) {
    // N_k = sum_i r_ik;  mu_k = sum_i r_ik x_i / N_k
    double nk = 0;
    for (int64_t i = 0; i < N; ++i) nk += resp[i * K + k];
    DGM_CHECK(nk > 0, "m_step: component ", k, " has no responsibility left (N_k = 0)");
    p.weights[k] = nk / static_cast<double>(N);
    for (int64_t i = 0; i < N; ++i)
      for (int64_t a = 0; a < D; ++a) p.means[k * D + a] += resp[i * K + k] * x[i * D + a];
    for (int64_t a = 0; a < D; ++a) p.means[k * D + a] /= nk;
    // Sigma_k = sum_i r_ik (x_i - mu_k)(x_i - mu_k)^T / N_k + reg I
    double* cov = &p.covariances[k * D * D];
    for (int64_t i = 0; i < N; ++i)
      for (int64_t a = 0; a < D; ++a)
        for (int64_t b = 0; b < D; ++b)
          cov[a * D + b] += resp[i * K + k] * (x[i * D + a] - p.means[k * D + a]) * (x[i * D + b] - p.means[k * D + b]);
    for (int64_t a = 0; a < D; ++a) {
      for (int64_t b = 0; b < D; ++b) cov[a * D + b] /= nk;
      cov[a * D + a] += reg;
    }
  }
  return p;
}

}  // namespace dgm::models::lvm
