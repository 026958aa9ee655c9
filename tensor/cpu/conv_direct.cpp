// The direct convolution kernel (tensor/cpu/conv_direct.h). Both passes are
// one correlation with stride 1 of a zero-padded input:
//   out[o, a, b] = bias[o] + sum_{c,i,j} w'[o, c, i, j] in[c, a + i, b + j]
// run sample by sample: the sample's input is copied into a padded buffer
// (zeros around it, and on the right up to a whole number of 16-pixel chunks),
// then each block of up to 16 output channels sweeps the output rows 16 pixels
// at a time, its partial sums held in registers.
#include "tensor/cpu/conv_direct.h"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "tensor/factories.h"
#include "tensor/parallel.h"

namespace dgm::cpu {
namespace {

using Geo = kernels::Conv2dGeometry;
// 16 floats: one AVX-512 register (two AVX2 ones); GCC and Clang vector extensions, a scalar operand is broadcast.
using Vec = float __attribute__((vector_size(64)));
constexpr int64_t kVec = 16;

// A stride-1 correlation of one sample's padded input (C, Hp, Wp) into the output (O, Ho, Wo).
struct Correlation {
  int64_t C, Hp, Wp;  // Wp: Wo rounded up to 16, plus kW - 1, so that every 16-pixel load stays in the row
  int64_t O, kH, kW;
  int64_t Ho, Wo;  // Ho = Hp - kH + 1
};

int64_t round_up(int64_t n, int64_t m) { return (n + m - 1) / m * m; }

// The output channels in blocks: 16 while 16 remain, then 8, 4, 2, 1.
std::vector<int64_t> channel_blocks(int64_t O) {
  std::vector<int64_t> widths;
  for (int64_t width = 16, left = O; left > 0; width /= 2)
    for (; left >= width; left -= width) widths.push_back(width);
  return widths;
}

// The weights block by block: the block of width B starting at o0 holds [c][i][j][B], weight(o0 + ob, c, i, j) at
// ((c kH + i) kW + j) B + ob, so the kernel reads the B weights of one tap as one run.
template <typename Weight>
Tensor pack_weights(const Correlation& k, const std::vector<int64_t>& blocks, Weight weight) {
  Tensor packed = empty({k.O * k.C * k.kH * k.kW}, kFloat32, Device());
  float* p = packed.data_ptr<float>();
  int64_t o0 = 0;
  for (int64_t width : blocks) {
    for (int64_t c = 0; c < k.C; ++c)
      for (int64_t i = 0; i < k.kH; ++i)
        for (int64_t j = 0; j < k.kW; ++j)
          for (int64_t ob = 0; ob < width; ++ob) *p++ = weight(o0 + ob, c, i, j);
    o0 += width;
  }
  return packed;
}

// acc[ob][b] = bias[ob] + sum_{c,i,j} w[c][i][j][ob] in[c, a + i, b0 + b + j] for 16 pixels b of row a, for the
// OB output channels of one block; out holds the block's OB channels (Ho, Wo).
template <int OB>
void block_rows(const float* in, const float* w, const float* bias, float* out, const Correlation& k) {
  for (int64_t a = 0; a < k.Ho; ++a)
    for (int64_t b0 = 0; b0 < k.Wo; b0 += kVec) {
      Vec acc[OB];
      for (int ob = 0; ob < OB; ++ob) acc[ob] = Vec{} + (bias ? bias[ob] : 0.0f);
      for (int64_t c = 0; c < k.C; ++c)
        for (int64_t i = 0; i < k.kH; ++i) {
          const float* row = in + (c * k.Hp + a + i) * k.Wp + b0;
          const float* wr = w + (c * k.kH + i) * k.kW * OB;
          for (int64_t j = 0; j < k.kW; ++j) {
            Vec x;  // in[c, a + i, b0 + j .. b0 + j + 15]
            std::memcpy(&x, row + j, sizeof(Vec));
            for (int ob = 0; ob < OB; ++ob) acc[ob] += wr[j * OB + ob] * x;
          }
        }
      const int64_t width = std::min(kVec, k.Wo - b0);  // the last chunk of a row may be partial
      for (int ob = 0; ob < OB; ++ob) std::memcpy(out + (ob * k.Ho + a) * k.Wo + b0, &acc[ob], width * sizeof(float));
    }
}

// For every sample n: in_n (C, H, W) padded by (pH, pW) into a per-thread buffer, then out_n (O, Ho, Wo) block of
// channels by block. The (sample, block) tasks are split over threads in order, so a thread pads each of its samples
// once.
void correlate(const float* in, int64_t N, int64_t H, int64_t W, int64_t pH, int64_t pW, const Correlation& k,
               const std::vector<int64_t>& blocks, const Tensor& packed, const float* bias, float* out) {
  const int64_t tasks = N * static_cast<int64_t>(blocks.size());
  const bool big = N * k.O * k.Ho * k.Wo * k.C * k.kH * k.kW >= (int64_t{1} << 20);
  const int nt = static_cast<int>(big ? std::min<int64_t>(get_num_threads(), tasks) : 1);
  std::vector<int64_t> first_channel{0};  // of each block
  for (int64_t width : blocks) first_channel.push_back(first_channel.back() + width);
  std::vector<Tensor> buffers(nt);
  for (Tensor& b : buffers) b = empty({k.C * k.Hp * k.Wp}, kFloat32, Device());
  const float* weights = packed.data_ptr<float>();
#pragma omp parallel num_threads(nt)
  {
    const int t = omp_get_thread_num();
    float* pad = buffers[t].data_ptr<float>();
    int64_t padded = -1;  // the sample in pad
    for (int64_t task = t * tasks / nt; task < (t + 1) * tasks / nt; ++task) {
      const int64_t n = task / static_cast<int64_t>(blocks.size()), blk = task % static_cast<int64_t>(blocks.size());
      if (n != padded) {
        std::fill(pad, pad + k.C * k.Hp * k.Wp, 0.0f);
        for (int64_t c = 0; c < k.C; ++c)
          for (int64_t h = 0; h < H; ++h)
            std::memcpy(pad + (c * k.Hp + h + pH) * k.Wp + pW, in + ((n * k.C + c) * H + h) * W, W * sizeof(float));
        padded = n;
      }
      const int64_t o0 = first_channel[blk];
      const float* w = weights + o0 * k.C * k.kH * k.kW;
      const float* b = bias ? bias + o0 : nullptr;
      float* o = out + (n * k.O + o0) * k.Ho * k.Wo;
      switch (blocks[blk]) {
        case 16:
          block_rows<16>(pad, w, b, o, k);
          break;
        case 8:
          block_rows<8>(pad, w, b, o, k);
          break;
        case 4:
          block_rows<4>(pad, w, b, o, k);
          break;
        case 2:
          block_rows<2>(pad, w, b, o, k);
          break;
        default:
          block_rows<1>(pad, w, b, o, k);
          break;
      }
    }
  }
}

bool stride_one(const Geo& g) {
  return g.groups == 1 && g.sH == 1 && g.sW == 1 && g.dH == 1 && g.dW == 1 && g.kH * g.kW > 1;
}

}  // namespace

bool direct_conv2d_applies(const Geo& g) { return stride_one(g) && g.Wo >= 12; }

bool direct_conv2d_input_grad_applies(const Geo& g) { return stride_one(g) && g.W >= 12 && g.pH < g.kH && g.pW < g.kW; }

// y[n, o, a, b] = bias[o] + sum_{c,i,j} w[o, c, i, j] x[n, c, a - pH + i, b - pW + j]
void direct_conv2d(const float* x, const float* w, const float* bias, float* y, const Geo& g) {
  const Correlation k{g.C, g.H + 2 * g.pH, round_up(g.Wo, kVec) + g.kW - 1, g.O, g.kH, g.kW, g.Ho, g.Wo};
  const std::vector<int64_t> blocks = channel_blocks(g.O);
  const Tensor packed = pack_weights(
      k, blocks, [&](int64_t o, int64_t c, int64_t i, int64_t j) { return w[((o * g.C + c) * g.kH + i) * g.kW + j]; });
  correlate(x, g.N, g.H, g.W, g.pH, g.pW, k, blocks, packed, bias, y);
}

// dx[n, c, h, w] = sum_{o,i,j} w[o, c, kH-1-i, kW-1-j] gypad[n, o, h + i, w + j], gy padded by (kH-1-pH, kW-1-pW)
void direct_conv2d_input_grad(const float* gy, const float* w, float* dx, const Geo& g) {
  const int64_t qH = g.kH - 1 - g.pH, qW = g.kW - 1 - g.pW;
  const Correlation k{g.O, g.Ho + 2 * qH, round_up(g.W, kVec) + g.kW - 1, g.C, g.kH, g.kW, g.H, g.W};
  const std::vector<int64_t> blocks = channel_blocks(g.C);
  const Tensor packed = pack_weights(k, blocks, [&](int64_t c, int64_t o, int64_t i, int64_t j) {
    return w[((o * g.C + c) * g.kH + (g.kH - 1 - i)) * g.kW + (g.kW - 1 - j)];
  });
  correlate(gy, g.N, g.Ho, g.Wo, qH, qW, k, blocks, packed, nullptr, dx);
}

}  // namespace dgm::cpu
