// Spatial kernels on (N,C,H,W) tensors (no autograd): convolution by
// im2col + GEMM, pooling, upsampling. Inputs must be contiguous CPU float32 or
// float64 tensors of one dtype (the front ends in nn/functional/ make them so);
// outputs are fresh contiguous tensors.
//
// Each linear map comes with its adjoint (the transpose), which is both its
// gradient and, transposed again, the gradient of the gradient.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "tensor/tensor.h"

namespace dgm::kernels {

// Every size of one 2-d convolution, so that the forward op and its two
// adjoints agree exactly (conv_transpose2d picks Ho, Wo, H, W itself).
struct Conv2dGeometry {
  int64_t N = 0, C = 0, H = 0, W = 0;  // input x: (N, C, H, W)
  int64_t O = 0, kH = 0, kW = 0;       // weight: (O, C/groups, kH, kW)
  int64_t Ho = 0, Wo = 0;              // output: (N, O, Ho, Wo)
  int64_t sH = 1, sW = 1, pH = 0, pW = 0, dH = 1, dW = 1, groups = 1;
};

// y[n,o,a,b] = bias[o] + sum_{c,i,j} w[o,c,i,j] x[n, c+g*C/groups, a*sH-pH+i*dH, b*sW-pW+j*dW]
// (x is 0 outside the image; g = o / (O/groups)). bias may be undefined.
Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, const Conv2dGeometry& geo);
// The adjoint in x: dx = sum over (o,a,b) of gy[n,o,a,b] * d y[n,o,a,b] / dx  (col2im of w^T gy).
Tensor conv2d_input_grad(const Tensor& gy, const Tensor& w, const Conv2dGeometry& geo);
// The adjoint in w: dw[o,c,i,j] = sum_{n,a,b} gy[n,o,a,b] x[n, c', a*sH-pH+i*dH, b*sW-pW+j*dW].
Tensor conv2d_weight_grad(const Tensor& x, const Tensor& gy, const Conv2dGeometry& geo);

// ---- pooling (tensor/cpu/pooling.cpp) ----
struct Pool2dGeometry {
  int64_t N = 0, C = 0, H = 0, W = 0, Ho = 0, Wo = 0;
  int64_t kH = 1, kW = 1, sH = 1, sW = 1, pH = 0, pW = 0;
  bool count_include_pad = true;  // avg pool: divide by the window size including padding
};

// y[n,c,a,b] = max over the window; indices[n,c,a,b] = h*W + w of the max
// (the first one on ties; NaN wins, as PyTorch). indices are int64.
std::pair<Tensor, Tensor> max_pool2d(const Tensor& x, const Pool2dGeometry& geo);
// out (N,C,H,W) = 0, then out[n,c,indices[n,c,a,b]] += g[n,c,a,b]
Tensor max_pool2d_scatter(const Tensor& g, const Tensor& indices, const Pool2dGeometry& geo);
// out[n,c,a,b] = h[n,c,indices[n,c,a,b]]   (the adjoint of the scatter)
Tensor max_pool2d_gather(const Tensor& h, const Tensor& indices, const Pool2dGeometry& geo);
// y[n,c,a,b] = (sum over the window of x) / divisor(a,b)
Tensor avg_pool2d(const Tensor& x, const Pool2dGeometry& geo);
// The adjoint: dx[n,c,h,w] = sum over windows (a,b) containing (h,w) of g[n,c,a,b] / divisor(a,b)
Tensor avg_pool2d_backward(const Tensor& g, const Pool2dGeometry& geo);

// ---- upsampling (tensor/cpu/upsample.cpp) ----
// Each output row (column) reads input rows i0, i1 with weights l0, l1
// (nearest: i1 = i0, l0 = 1, l1 = 0). Built by the front end from the mode's
// source-index rule.
struct Interp1d {
  std::vector<int64_t> i0, i1;
  std::vector<double> l0, l1;
};
// y[n,c,a,b] = sum_{p,q in {0,1}} lh_p[a] lw_q[b] x[n,c,ih_p[a],iw_q[b]]
Tensor upsample2d(const Tensor& x, const Interp1d& rows, const Interp1d& cols);
// The adjoint: dx[n,c,ih_p[a],iw_q[b]] += lh_p[a] lw_q[b] g[n,c,a,b]; (H, W) the input's size.
Tensor upsample2d_backward(const Tensor& g, const Interp1d& rows, const Interp1d& cols, int64_t H, int64_t W);

}  // namespace dgm::kernels
