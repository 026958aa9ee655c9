// Seminar 4's "FlowerGMM" target (COURSE.md, Seminar 4, 2024 edition): a known
// 2-D Gaussian mixture of 8 equally weighted components, a centre and 7 petals.
//
//   component 0 (centre): mean (0, 0), covariance MINOR_VAR * I = I (isotropic; the
//                         seminar does not fix it here, this is our choice)
//   component k = 1..7:   angle a_k = 2 pi (k - 1) / 7, direction u_k = (cos a_k, sin a_k),
//                         mean CENTERS_SCALE * u_k = 6 u_k,
//                         covariance MAJOR_VAR u u^T + MINOR_VAR v v^T = 3 u u^T + 1 v v^T,
//                         v = (-sin a_k, cos a_k): variance 3 along the radius, 1 across it
//   weights 1/8 each.
//
// A point: component c ~ Categorical(1/8), then mean_c + L_c eps with eps ~ N(0, I) and
// L_c = [u v] diag(sqrt 3, 1) (so L_c L_c^T = Sigma_c). Drawn from a Generator, so a
// seed gives the same points on every machine.
#pragma once
#include <array>
#include <vector>

#include "nn/data/toy2d.h"

namespace dgm::nn::data {

constexpr double kFlowerCentersScale = 6;  // CENTERS_SCALE
constexpr double kFlowerMajorVar = 3;      // MAJOR_VAR, the petals' variance along their radius
constexpr double kFlowerMinorVar = 1;      // MINOR_VAR, across it (and the centre's, in every direction)
constexpr int kFlowerComponents = 8;

struct MixtureComponent2d {
  double weight;
  std::array<double, 2> mean;
  std::array<double, 4> covariance;  // row-major 2x2, symmetric positive definite
};

// The 8 components above, centre first.
std::vector<MixtureComponent2d> flower_gmm_components();

// n points (n,2) float32 and their components (n) int64.
ToySet flower_gmm(int64_t n, Generator* gen = nullptr);

// log p(x) of the mixture: logsumexp_k [log w_k + log N(x; mean_k, Sigma_k)], in float64.
// x (n,2) of any real dtype; returns (n) float64.
Tensor flower_gmm_log_prob(const Tensor& x);

}  // namespace dgm::nn::data
