// Direct convolution on the CPU for float32, stride 1: the output computed
// in registers from the (zero-padded) input, with no im2col matrix.
//
// im2col + GEMM (tensor/cpu/conv.cpp) writes each input value kH*kW times into
// a column matrix that the GEMM then packs again: for the small channel counts
// of the course's UNets (32-64 channels, kernel 3) those copies cost as much
// as the multiplications. The direct kernel instead keeps, for 16 output
// channels and 16 neighbouring output pixels of one row, the 16 x 16 partial
// sums in 16 vector registers, and adds for every input channel c and tap
// (i, j) the 16 input pixels times the 16 weights w[o, c, i, j]:
//   acc[o][b] += w[o, c, i, j] * xpad[c, a + i, b0 + b + j]     (b < 16)
// one load of input pixels per 16 fused multiply-adds.
//
// The input gradient of a stride-1 convolution is itself such a correlation:
//   dx[c, h, w] = sum_{o,i,j} w[o, c, i, j] gy[o, h + pH - i, w + pW - j]
//              = sum_{o,i',j'} w[o, c, kH-1-i', kW-1-j'] gypad[o, h + i', w + j']
// with gy padded by (kH-1-pH, kW-1-pW): the same kernel with the weights
// transposed (o <-> c) and flipped. The weight gradient
//   dw[o, c, i, j] = sum_{n,a,b} gy[n, o, a, b] xpad[n, c, a + i, b + j]
// keeps 8 output channels x 3 taps of partial sums over 16 pixels in registers.
#pragma once
#include "tensor/kernels/conv.h"

namespace dgm::cpu {

// Whether the direct kernels compute this float32 convolution's forward and weight gradient (stride 1, dilation 1, one
// group, a kernel larger than 1x1, output rows of at least 12 pixels that are a multiple of 16, or with a kernel of 25
// taps or more, or at most 32 channels in and out) and its input gradient (the same of the input rows, and the
// padding < kernel).
bool direct_conv2d_applies(const kernels::Conv2dGeometry& g);
bool direct_conv2d_input_grad_applies(const kernels::Conv2dGeometry& g);
bool direct_conv2d_weight_grad_applies(const kernels::Conv2dGeometry& g);

// y (N, O, Ho, Wo) = bias + conv(x, w); x, w, y contiguous, bias (O) or null.
void direct_conv2d(const float* x, const float* w, const float* bias, float* y, const kernels::Conv2dGeometry& g);
// dx (N, C, H, W) = the adjoint of the convolution in x applied to gy (N, O, Ho, Wo).
void direct_conv2d_input_grad(const float* gy, const float* w, float* dx, const kernels::Conv2dGeometry& g);
// dw (O, C, kH, kW) = the adjoint of the convolution in w: sum over the batch of gy correlated with x.
void direct_conv2d_weight_grad(const float* x, const float* gy, float* dw, const kernels::Conv2dGeometry& g);

}  // namespace dgm::cpu
