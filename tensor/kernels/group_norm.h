// The fused group-norm kernels (no autograd), CPU only: GroupNorm(G, C) of an
// (N, C, *) input with its per-channel affine, in one kernel forward and one
// backward, instead of the layer norm of each (sample, group) row followed by
// a separate scale, shift and their gradients (four more passes over the
// activations, two reductions). The UNets of homeworks 5 and 6 normalize every
// activation this way, twice per ResBlock.
//
// The input is seen as (N, G, C/G, S), S = the product of the trailing dims:
// row (n, g) holds C/G channels of S positions each, contiguous.
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace dgm::kernels {

// An (N, C, *) input of `groups` groups: spatial = the product of the trailing dims.
struct GroupNormShape {
  int64_t n, c, groups, spatial;
};

struct GroupNormForward {
  Tensor y;     // x's shape, contiguous
  Tensor mean;  // (N * G) float64: mean of each (sample, group) row
  Tensor rstd;  // (N * G) float64: 1 / sqrt(var + eps), biased var
};

// y = (x - mean) * rstd * weight[c] + bias[c] per (sample, group) row; weight,
// bias (C) or undefined. x contiguous float32/float64 (N, C, *) on the CPU,
// C divisible by groups; the statistics are accumulated in double.
GroupNormForward group_norm_forward(const Tensor& x, int64_t groups, const Tensor& weight, const Tensor& bias,
                                    double eps);

struct GroupNormBackward {
  Tensor dx;       // x's shape, contiguous
  Tensor dweight;  // (C), undefined without weight or when not wanted
  Tensor dbias;    // (C), undefined when not wanted
};

// With xhat = (x - mean) * rstd and gw = g * weight[c], per (sample, group) row of M = (C/G) S values:
//   dx = rstd * (gw - mean_row(gw) - xhat * mean_row(gw * xhat))
//   dweight[c] = sum over samples and positions of g * xhat,  dbias[c] = the same sum of g.
// g contiguous, x's shape. The sums over samples are made in a fixed order, whatever the number of threads.
GroupNormBackward group_norm_backward(const Tensor& g, const Tensor& x, int64_t groups, const Tensor& mean,
                                      const Tensor& rstd, const Tensor& weight, bool want_dweight, bool want_dbias);

}  // namespace dgm::kernels
