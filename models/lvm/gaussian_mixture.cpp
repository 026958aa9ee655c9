#include "models/lvm/gaussian_mixture.h"

#include <cmath>
#include <sstream>

#include "autograd/grad_mode.h"
#include "nn/functional/softmax.h"
#include "tensor/factories.h"

namespace dgm::models::lvm {

namespace {
constexpr double kLog2Pi = 1.8378770664093454836;
int64_t tril_index(int64_t i, int64_t j) { return i * (i - 1) / 2 + j; }  // i > j
}  // namespace

GaussianMixture::GaussianMixture(int64_t components, int64_t dim, double mean_std, double scale)
    : K_(components), D_(dim) {
  DGM_CHECK(components > 0 && dim > 0, "GaussianMixture: expected components > 0 and dim > 0, got ", components,
            " and ", dim);
  DGM_CHECK(mean_std >= 0 && scale > 0, "GaussianMixture: expected mean_std >= 0 and scale > 0, got ", mean_std,
            " and ", scale);
  logits = register_parameter("logits", zeros({K_}));
  means = register_parameter("means", randn({K_, D_}) * mean_std);
  log_diag = register_parameter("log_diag", full({K_, D_}, std::log(scale)));
  tril = register_parameter("tril", zeros({K_, D_ * (D_ - 1) / 2}));
}

std::string GaussianMixture::extra_repr() const {
  std::ostringstream s;
  s << "components=" << K_ << ", dim=" << D_;
  return s.str();
}

Tensor GaussianMixture::component_log_prob(const Tensor& x) const {
  DGM_CHECK(x.dim() == 2 && x.size(1) == D_, "GaussianMixture::log_prob: expected points (B,", D_, "), got ",
            shape_str(x.shape()));
  const Tensor diff = x.to(means.dtype()).unsqueeze(1) - means.unsqueeze(0);  // (B,K,D)
  std::vector<Tensor> z;
  Tensor quad;
  for (int64_t i = 0; i < D_; ++i) {
    // z_i = (x_i - mu_i - sum_{j<i} L_ij z_j) / L_ii
    Tensor t = diff.select(2, i);
    for (int64_t j = 0; j < i; ++j) t = t - tril.select(1, tril_index(i, j)).unsqueeze(0) * z[j];
    z.push_back(t * (-log_diag.select(1, i)).exp().unsqueeze(0));
    quad = i == 0 ? z[0].square() : quad + z[i].square();
  }
  // log N = -1/2 |z|^2 - sum_i log L_ii - D/2 log(2 pi)
  return -0.5 * quad - log_diag.sum({1}).unsqueeze(0) - 0.5 * static_cast<double>(D_) * kLog2Pi;
}

Tensor GaussianMixture::log_weights() const { return nn::functional::log_softmax(logits, 0); }

Tensor GaussianMixture::joint_log_prob(const Tensor& x) const {
  return log_weights().unsqueeze(0) + component_log_prob(x);
}

Tensor GaussianMixture::log_prob(const Tensor& x) const { return joint_log_prob(x).logsumexp({1}); }

Tensor GaussianMixture::responsibilities(const Tensor& x) const {
  return nn::functional::softmax(joint_log_prob(x), 1);  // r_ik = exp(joint_ik - logsumexp_k joint_ik)
}

MixtureParams GaussianMixture::params() const {
  NoGradGuard no_grad;
  MixtureParams p;
  p.K = K_;
  p.D = D_;
  p.weights = log_weights().exp().to(Device()).to(kFloat64).to_vector<double>();
  p.means = means.to(Device()).to(kFloat64).contiguous().to_vector<double>();
  const std::vector<double> ld = log_diag.to(Device()).to(kFloat64).contiguous().to_vector<double>();
  const std::vector<double> off = tril.to(Device()).to(kFloat64).contiguous().to_vector<double>();
  const int64_t n_off = D_ * (D_ - 1) / 2;
  p.covariances.assign(K_ * D_ * D_, 0.0);
  for (int64_t k = 0; k < K_; ++k) {
    std::vector<double> l(D_ * D_, 0.0);
    for (int64_t i = 0; i < D_; ++i) {
      l[i * D_ + i] = std::exp(ld[k * D_ + i]);
      for (int64_t j = 0; j < i; ++j) l[i * D_ + j] = off[k * n_off + tril_index(i, j)];
    }
    // Sigma = L L^T
    for (int64_t a = 0; a < D_; ++a)
      for (int64_t b = 0; b < D_; ++b) {
        double s = 0;
        for (int64_t c = 0; c < D_; ++c) s += l[a * D_ + c] * l[b * D_ + c];
        p.covariances[k * D_ * D_ + a * D_ + b] = s;
      }
  }
  return p;
}

void GaussianMixture::set_params(const MixtureParams& p) {
  DGM_CHECK(p.K == K_ && p.D == D_ && static_cast<int64_t>(p.weights.size()) == K_ &&
                static_cast<int64_t>(p.means.size()) == K_ * D_ &&
                static_cast<int64_t>(p.covariances.size()) == K_ * D_ * D_,
            "GaussianMixture::set_params: expected ", K_, " components in ", D_, " dims, got ", p.K, " in ", p.D);
  NoGradGuard no_grad;
  const int64_t n_off = D_ * (D_ - 1) / 2;
  std::vector<double> lw(K_), ld(K_ * D_), off(K_ * n_off);
  for (int64_t k = 0; k < K_; ++k) {
    DGM_CHECK(p.weights[k] > 0, "GaussianMixture::set_params: weight ", k, " is ", p.weights[k], ", expected > 0");
    lw[k] = std::log(p.weights[k]);  // softmax(log pi) = pi when sum pi = 1
    const std::vector<double> l = cholesky(
        std::vector<double>(p.covariances.begin() + k * D_ * D_, p.covariances.begin() + (k + 1) * D_ * D_), D_);
    for (int64_t i = 0; i < D_; ++i) {
      ld[k * D_ + i] = std::log(l[i * D_ + i]);
      for (int64_t j = 0; j < i; ++j) off[k * n_off + tril_index(i, j)] = l[i * D_ + j];
    }
  }
  logits.copy_(tensor(lw, {K_}));
  means.copy_(tensor(p.means, {K_, D_}));
  log_diag.copy_(tensor(ld, {K_, D_}));
  if (n_off > 0) tril.copy_(tensor(off, {K_, n_off}));
}

Tensor GaussianMixture::sample(int64_t n, Generator* gen) const {
  DGM_CHECK(n >= 0, "GaussianMixture::sample: n must be non-negative, got ", n);
  const MixtureParams p = params();
  if (n == 0) return zeros({0, D_}, means.dtype());
  const std::vector<int64_t> c = multinomial(tensor(p.weights), n, true, gen).to_vector<int64_t>();
  const std::vector<double> eps = randn({n, D_}, kFloat64, gen).to_vector<double>();
  std::vector<std::vector<double>> chol;
  for (int64_t k = 0; k < K_; ++k)
    chol.push_back(cholesky(
        std::vector<double>(p.covariances.begin() + k * D_ * D_, p.covariances.begin() + (k + 1) * D_ * D_), D_));
  std::vector<double> x(n * D_);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t k = c[i];
    for (int64_t a = 0; a < D_; ++a) {
      // x = mu_k + L_k eps
      double s = p.means[k * D_ + a];
      for (int64_t b = 0; b <= a; ++b) s += chol[k][a * D_ + b] * eps[i * D_ + b];
      x[i * D_ + a] = s;
    }
  }
  return tensor(x, {n, D_}).to(means.dtype()).to(means.device());
}

}  // namespace dgm::models::lvm
