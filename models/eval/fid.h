// The Frechet distance of two Gaussians fitted to features (Heusel et al., 2017; lecture 7, COURSE.md §1.8):
//
//   FID = |mu1 - mu2|^2 + tr(S1 + S2 - 2 (S1^1/2 S2 S1^1/2)^1/2)
//
// The course computes it on Inception-v3 features; dgm computes it on the features of its own classifiers
// (models/eval/classifier.h), so dgm's numbers are "FID (dgm MNIST features)", comparable with each other and
// not with published Inception FIDs. Everything here is float64 on the CPU.
//
// The square roots are symmetric: S = V diag(l) V^T by eigh, S^1/2 = V diag(sqrt(l)) V^T. A covariance is
// positive semi-definite, but round-off can leave eigenvalues slightly below 0: those are clamped to 0 and
// counted (SqrtInfo), never passed to sqrt as NaN. A clearly negative eigenvalue (below -1e-8 times the largest
// |eigenvalue|) is an error: the matrix is not a covariance.
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace dgm::models::eval {

// Mean (D) and covariance (D,D) of features (N,D), float64, as np.mean(x, 0) and np.cov(x, rowvar=False):
// the unbiased 1/(N-1). N >= 2.
struct GaussianStats {
  Tensor mu;
  Tensor sigma;
  int64_t n = 0;
};
GaussianStats gaussian_stats(const Tensor& features);

// How many eigenvalues were clamped to 0, and the most negative one seen (0 if none).
struct SqrtInfo {
  int64_t clamped = 0;
  double most_negative = 0;
};
// The symmetric PSD square root of a symmetric matrix S (D,D): S^1/2 S^1/2 = S. Reads S symmetrized.
Tensor sqrtm_psd(const Tensor& S, SqrtInfo* info = nullptr);

// FID of N(mu1, S1) and N(mu2, S2) (formula above). info: the clamping of both square roots, summed.
double frechet_distance(const Tensor& mu1, const Tensor& S1, const Tensor& mu2, const Tensor& S2,
                        SqrtInfo* info = nullptr);
inline double frechet_distance(const GaussianStats& a, const GaussianStats& b, SqrtInfo* info = nullptr) {
  return frechet_distance(a.mu, a.sigma, b.mu, b.sigma, info);
}

}  // namespace dgm::models::eval
