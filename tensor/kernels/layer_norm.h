// The fused layer-norm kernels (no autograd), CPU only for now: one pass for
// the mean, one for the variance, one to write the output, instead of the
// nine separate ops (and their temporaries) of the composite in
// nn/functional/normalization.cpp; the backward is two passes.
//
// Rows run along one dim of a contiguous tensor seen as (outer, n, inner):
// element k of row (o, i) is at o*n*inner + k*inner + i. inner = 1 is the usual
// layer norm over the last dim; inner = H*W normalizes the channels of an
// NCHW tensor in place of permuting it to NHWC and back.
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace dgm::kernels {

struct RowLayout {
  int64_t outer, n, inner;
};

struct LayerNormForward {
  Tensor y;     // same shape and layout as x
  Tensor mean;  // (outer * inner): mean of each row
  Tensor rstd;  // (outer * inner): 1 / sqrt(var + eps), biased var
};

// y = (x - mean) * rstd * weight[k] + bias[k]; weight, bias (n) or undefined.
// x contiguous float32/float64 on the CPU; the statistics are accumulated in
// double.
LayerNormForward layer_norm_forward(const Tensor& x, RowLayout rows, const Tensor& weight, const Tensor& bias,
                                    double eps);

struct LayerNormBackward {
  Tensor dx;       // same shape and layout as x
  Tensor dweight;  // (n), undefined without weight
  Tensor dbias;    // (n), undefined without bias (computed when want_dbias)
};

// With xhat = (x - mean) * rstd and gw = g * weight (g without weight), per row:
//   dx = rstd * (gw - mean_k(gw) - xhat * mean_k(gw * xhat))
//   dweight[k] = sum over rows of g * xhat,  dbias[k] = sum over rows of g.
// g contiguous in x's layout. The sums over rows are made in a fixed order,
// whatever the number of threads: the result is the same run after run.
LayerNormBackward layer_norm_backward(const Tensor& g, const Tensor& x, RowLayout rows, const Tensor& mean,
                                      const Tensor& rstd, const Tensor& weight, bool want_dweight, bool want_dbias);

}  // namespace dgm::kernels
