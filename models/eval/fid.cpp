#include "models/eval/fid.h"

#include <algorithm>
#include <cmath>

#include "autograd/grad_mode.h"
#include "autograd/ops/linalg.h"
#include "tensor/factories.h"

namespace dgm::models::eval {

namespace {

// eigh of (S + S^T) / 2 with the eigenvalues clamped at 0 (counted in info); a dgm::Error when one is clearly
// negative. Returns (eigenvalues >= 0, eigenvectors as columns).
std::pair<std::vector<double>, Tensor> psd_eigh(const Tensor& S, const char* op, SqrtInfo* info) {
  DGM_CHECK(S.dim() == 2 && S.size(0) == S.size(1) && S.size(0) > 0, op, ": expected a square matrix (D,D), got ",
            shape_str(S.shape()));
  Tensor s = S.detach().cpu().to(kFloat64);
  s = (s + s.t()) * 0.5;
  auto [values, vectors] = linalg::eigh(s);
  std::vector<double> l = values.to_vector<double>();
  double scale = 0;
  for (double v : l) {
    DGM_CHECK(std::isfinite(v), op, ": the matrix has a non-finite eigenvalue (NaN or inf in its entries)");
    scale = std::max(scale, std::abs(v));
  }
  for (double& v : l) {
    if (v >= 0) continue;
    DGM_CHECK(v >= -1e-8 * scale, op, ": expected a positive semi-definite matrix, got the eigenvalue ", v,
              " (largest |eigenvalue| ", scale, ")");
    if (info) {
      ++info->clamped;
      info->most_negative = std::min(info->most_negative, v);
    }
    v = 0;
  }
  return {l, vectors};
}

}  // namespace

GaussianStats gaussian_stats(const Tensor& features) {
  DGM_CHECK(features.dim() == 2 && features.size(0) >= 2, "gaussian_stats: expected features (N,D) with N >= 2, got ",
            shape_str(features.shape()));
  NoGradGuard no_grad;
  Tensor x = features.detach().cpu().to(kFloat64);
  GaussianStats s;
  s.n = x.size(0);
  s.mu = x.mean({0});
  Tensor centered = x - s.mu;
  s.sigma = matmul(centered.t(), centered) / static_cast<double>(s.n - 1);
  return s;
}

Tensor sqrtm_psd(const Tensor& S, SqrtInfo* info) {
  NoGradGuard no_grad;
  auto [l, v] = psd_eigh(S, "sqrtm_psd", info);
  for (double& x : l) x = std::sqrt(x);
  Tensor root = tensor(l, {static_cast<int64_t>(l.size())});
  return matmul(v * root, v.t());  // V diag(sqrt l) V^T
}

double frechet_distance(const Tensor& mu1, const Tensor& S1, const Tensor& mu2, const Tensor& S2, SqrtInfo* info) {
  DGM_CHECK(mu1.dim() == 1 && mu2.dim() == 1 && mu1.size(0) == mu2.size(0),
            "frechet_distance: expected means (D), (D), got ", shape_str(mu1.shape()), " and ", shape_str(mu2.shape()));
  const int64_t d = mu1.size(0);
  DGM_CHECK(S1.dim() == 2 && S2.dim() == 2 && S1.size(0) == d && S1.size(1) == d && S2.size(0) == d && S2.size(1) == d,
            "frechet_distance: expected covariances (", d, ",", d, ") for means (", d, "), got ", shape_str(S1.shape()),
            " and ", shape_str(S2.shape()));
  NoGradGuard no_grad;
  Tensor m1 = mu1.detach().cpu().to(kFloat64), m2 = mu2.detach().cpu().to(kFloat64);
  Tensor s1 = S1.detach().cpu().to(kFloat64), s2 = S2.detach().cpu().to(kFloat64);
  const double mean_term = (m1 - m2).square().sum().item();
  Tensor root1 = sqrtm_psd(s1, info);
  // tr((S1^1/2 S2 S1^1/2)^1/2) = sum of the square roots of its eigenvalues
  auto [l, v] = psd_eigh(matmul(matmul(root1, s2), root1), "frechet_distance", info);
  double tr_root = 0;
  for (double x : l) tr_root += std::sqrt(x);
  const double fid = mean_term + trace(s1).item() + trace(s2).item() - 2 * tr_root;
  DGM_CHECK(std::isfinite(fid), "frechet_distance: the distance is not finite (", fid, "): non-finite statistics");
  return fid;
}

}  // namespace dgm::models::eval
