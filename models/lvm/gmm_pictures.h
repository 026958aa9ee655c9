// The GMM models' density picture (seminar 4's contour and density plots):
// density.png = the learned density p(x) with the test points on it, beside
// the true FlowerGMM density (nn/data/flower_gmm.h), on the same box [-12, 12]^2.
#pragma once
#include <string>

#include "models/batch.h"
#include "models/lvm/gaussian_mixture.h"

namespace dgm::models::lvm {

void save_gmm_density(const std::string& dir, const GaussianMixture& mixture, const Batch& test_batch);

}  // namespace dgm::models::lvm
