// Pictures of the WGANs' run folders (seminar 6): the histogram of a critic's weights. With weight clipping
// most weights end up at -c or +c (the critic is pushed against the box); with a gradient penalty they spread.
#pragma once
#include <string>
#include <vector>

#include "nn/module.h"

namespace dgm::models::gan {

// Counts of the values of `weights` (all their elements) in `bins` equal bins over [lo, hi]: (bins,) int64 on the
// CPU; values outside [lo, hi] are not counted, hi falls in the last bin.
Tensor weight_histogram(const std::vector<Tensor>& weights, int64_t bins, double lo, double hi);

// The histogram of every parameter of `critic` over [-m, m], m the largest |weight|, as a bar outline in a PNG.
void save_weight_histogram(const std::string& path, const nn::Module& critic, int64_t bins = 41);

}  // namespace dgm::models::gan
