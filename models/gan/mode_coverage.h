// Mode coverage on the 8-Gaussians ring (seminar 6's mode collapse; the measure of Metz et al. 2017 and
// Srivastava et al. 2017): each sample goes to its nearest mode centre; it is "high quality" when it lies within
// 3 sigma of that centre. A mode is hit when at least min_share of all samples are high-quality samples of it
// (1 % by default: a few stray points do not make a mode covered).
//
// The ring of nn/data's "8gaussians": centres (2 cos(k pi / 4), 2 sin(k pi / 4)) / 1.414, noise std 0.08 / 1.414.
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace dgm::models::gan {

struct ModeCoverage {
  int64_t modes_hit = 0;    // of centers.size(0)
  double high_quality = 0;  // share of the samples within `radius` sigma of their nearest centre
};

// The 8 centres (8,2) float64 and the noise std of the "8gaussians" ring.
Tensor ring_centers();
double ring_sigma();

// samples (n,2), centers (k,2); sigma > 0, radius in sigmas.
ModeCoverage mode_coverage(const Tensor& samples, const Tensor& centers, double sigma, double radius = 3,
                           double min_share = 0.01);

}  // namespace dgm::models::gan
