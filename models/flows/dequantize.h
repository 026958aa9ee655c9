// Uniform dequantization (homework 2, given code; lecture 2): discrete values
// x in {0, 1/(nbins-1), ..., 1} become continuous ones in [0, 1),
//
//   y = (x (nbins - 1) + u) / nbins,   u ~ U[0, 1)   (element-wise)
//
// so bin k = x (nbins - 1) covers [k/nbins, (k+1)/nbins). A continuous density p
// on [0,1)^D then bounds the discrete model: log P(x) >= E_u log p(y) - D log(nbins)
// (each bin has volume nbins^-D), i.e. NLL in nats = E[-log p(y)] + D log(nbins).
#pragma once
#include "tensor/random.h"

namespace dgm::models::flows {

// y = (x (nbins - 1) + u) / nbins with u ~ U[0,1) drawn from gen, or the given `noise` (x's shape) instead.
Tensor dequantize(const Tensor& x, int64_t nbins = 256, const Tensor& noise = {}, Generator* gen = nullptr);

}  // namespace dgm::models::flows
