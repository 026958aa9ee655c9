// im2col and col2im on the GPU: "what cuDNN does, the simple way".
//
// For one sample, im2col lays every receptive field out as a column of a
// matrix col with K = C*kH*kW rows and P = Ho*Wo columns:
//   row r = (c*kH + i)*kW + j      (input channel c, kernel tap (i, j))
//   column p = a*Wo + b            (output pixel (a, b))
//   col[r, p] = x[c, a*sH - pH + i*dH, b*sW - pW + j*dW]      (0 outside the image)
// Then the convolution of group gi is one matrix product (tensor/cpu/conv.cpp
// does the same on the CPU):
//   y[gi] (O/groups x P) = w[gi] (O/groups x K/groups) @ col[rows of gi] (K/groups x P)
// because the rows of group gi (its channels) are the consecutive block
// [gi*K/groups, (gi+1)*K/groups). col2im is im2col's adjoint: it adds every
// column entry back onto the input pixel it was copied from, so
//   dx = col2im(w^T @ gy)      and      dw = gy @ col^T.
//
// Both kernels work on a chunk of `samples` consecutive samples at once:
// col is then (samples, K, P), x is (samples, C, H, W), all contiguous.
#pragma once
#include <cstdint>

#include "cuda/elementwise.cuh"  // DGM_GRID_STRIDE
#include "tensor/kernels/conv.h"

namespace dgm::cuda {

// col[n, (c*kH + i)*kW + j, a*Wo + b] = x[n, c, a*sH - pH + i*dH, b*sW - pW + j*dW]
// One thread per column element (total = samples * C*kH*kW * Ho*Wo).
template <typename T>
__global__ void im2col_kernel(const T* __restrict__ x, T* __restrict__ col, int64_t total, kernels::Conv2dGeometry g) {
  const int64_t P = g.Ho * g.Wo;
  DGM_GRID_STRIDE(e, total) {
    const int64_t p = e % P;
    int64_t r = e / P;  // (n*C + c)*kH*kW + i*kW + j
    const int64_t j = r % g.kW;
    r /= g.kW;
    const int64_t i = r % g.kH;
    r /= g.kH;  // r = n*C + c: the (sample, channel) plane of x
    const int64_t a = p / g.Wo, b = p % g.Wo;
    const int64_t h = a * g.sH - g.pH + i * g.dH;
    const int64_t w = b * g.sW - g.pW + j * g.dW;
    col[e] = (h >= 0 && h < g.H && w >= 0 && w < g.W) ? x[(r * g.H + h) * g.W + w] : T(0);
  }
}

// x[n, c, h, w] = sum of col[n, (c*kH + i)*kW + j, a*Wo + b] over the taps (i, j)
// and output pixels (a, b) with a*sH - pH + i*dH = h and b*sW - pW + j*dW = w.
// One thread per input element (total = samples * C*H*W): each sums the few
// column entries that were copied from it, so no two threads write the same
// element (no atomics) and the sum order is fixed (deterministic).
template <typename T>
__global__ void col2im_kernel(const T* __restrict__ col, T* __restrict__ x, int64_t total, kernels::Conv2dGeometry g) {
  const int64_t P = g.Ho * g.Wo;
  DGM_GRID_STRIDE(e, total) {
    const int64_t w = e % g.W;
    int64_t r = e / g.W;
    const int64_t h = r % g.H;
    r /= g.H;  // r = n*C + c
    T sum = 0;
    for (int64_t i = 0; i < g.kH; ++i) {
      const int64_t hs = h + g.pH - i * g.dH;  // = a*sH for the output row a that reads h through tap i
      if (hs < 0 || hs % g.sH != 0) continue;
      const int64_t a = hs / g.sH;
      if (a >= g.Ho) continue;
      for (int64_t j = 0; j < g.kW; ++j) {
        const int64_t ws = w + g.pW - j * g.dW;
        if (ws < 0 || ws % g.sW != 0) continue;
        const int64_t b = ws / g.sW;
        if (b >= g.Wo) continue;
        sum += col[((r * g.kH + i) * g.kW + j) * P + a * g.Wo + b];
      }
    }
    x[e] = sum;
  }
}

// y[n, o, p] += bias[o] for y of shape (N, O, P), contiguous.
template <typename T>
__global__ void add_bias_kernel(T* __restrict__ y, const T* __restrict__ bias, int64_t total, int64_t O, int64_t P) {
  DGM_GRID_STRIDE(e, total) { y[e] += bias[(e / P) % O]; }
}

}  // namespace dgm::cuda
