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
    // split by the threads that actually run (OpenMP may start fewer than asked)
    const int t = omp_get_thread_num(), nt_run = omp_get_num_threads();
    float* pad = buffers[t].data_ptr<float>();
    int64_t padded = -1;  // the sample in pad
    for (int64_t task = t * tasks / nt_run; task < (t + 1) * tasks / nt_run; ++task) {
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

// ---- the weight gradient ----
// dw[o, c, i, j] = sum_{n,a,b} gy[n, o, a, b] xpad[n, c, a + i, b + j]: for OB output channels and J neighbouring taps
// (i, j0 .. j0 + J - 1) of one input channel, OB x J vectors of partial sums over 16 pixels b, each step one load of
// gy per channel and one of x per tap for OB x J fused multiply-adds; the 16 lanes are added up at the end of each
// sample's sweep.
constexpr int64_t kChannelChunk = 16;  // input channels per task of the weight gradient

struct WeightGrad {
  int64_t C, Hp, Wp;  // the padded input of one sample (C, Hp, Wp)
  int64_t O, kH, kW;
  int64_t Ho, Wo, Wop;  // the output gradient (O, Ho, Wop), zero beyond Wo
};

double lanes_sum(Vec v) {
  double s = 0;
  for (int64_t l = 0; l < kVec; ++l) s += v[l];
  return s;
}

// sums[ob J + jj] += sum_{a,b} gy[ob, a, b] x[a + i, b + j0 + jj] lane by lane (lane = b mod 16);
// gy: OB channels of (Ho, Wop), x: one padded channel
template <int OB, int J>
void weight_taps(const float* gy, const float* x, int64_t i, int64_t j0, const WeightGrad& k, Vec* sums) {
  Vec acc[OB * J];  // acc[ob J + jj]
  for (int e = 0; e < OB * J; ++e) acc[e] = Vec{};
  for (int64_t a = 0; a < k.Ho; ++a)
    for (int64_t b0 = 0; b0 < k.Wop; b0 += kVec) {
      Vec xs[J];  // x[a + i, b0 + j0 + jj .. + 15]
#pragma GCC unroll 3
      for (int jj = 0; jj < J; ++jj) std::memcpy(&xs[jj], x + (a + i) * k.Wp + b0 + j0 + jj, sizeof(Vec));
        // fully unrolled, so that the OB x J partial sums stay in registers
#pragma GCC unroll 8
      for (int ob = 0; ob < OB; ++ob) {
        Vec g;
        std::memcpy(&g, gy + (ob * k.Ho + a) * k.Wop + b0, sizeof(Vec));
#pragma GCC unroll 3
        for (int jj = 0; jj < J; ++jj) acc[ob * J + jj] += g * xs[jj];
      }
    }
  for (int e = 0; e < OB * J; ++e) sums[e] += acc[e];  // the lanes are added up once, at the end
}

template <int OB>
void weight_taps(int J, const float* gy, const float* x, int64_t i, int64_t j0, const WeightGrad& k, Vec* sums) {
  if (J == 3)
    weight_taps<OB, 3>(gy, x, i, j0, k, sums);
  else if (J == 2)
    weight_taps<OB, 2>(gy, x, i, j0, k, sums);
  else
    weight_taps<OB, 1>(gy, x, i, j0, k, sums);
}

// Where the direct kernels beat im2col + GEMM (measured 2026-12-04, 1 thread, CPU time, median of 3 interleaved
// rounds, bench_conv): rows of whole 16-pixel chunks (UNet 32 channels at 32x32: 26 -> 19 ms forward+backward; 64 at
// 16x16: level) or large kernels (PixelCNN 7x7, 64 channels at 28x28: 578 -> 529 ms); with 28-pixel rows and a 3x3
// kernel the padding to 32 costs more than it saves at 64 channels (118 -> 132 ms), so those stay on the GEMM; with at
// most 32 channels the GEMMs are too small to win (ResNet VAE's step 216-223 -> 198-200 ms, RealNVP's 846-850 ->
// 811-829 ms with the direct kernels on its 28- and 14-pixel rows).
bool worth_it(int64_t row, const Geo& g) {
  return row >= 12 && (row % kVec == 0 || g.kH * g.kW >= 25 || std::max(g.C, g.O) <= 32);
}

// Stride 1, dilation 1, one group, more than one tap, and the output size that these imply (the buffers are sized
// from it).
bool stride_one(const Geo& g) {
  return g.groups == 1 && g.sH == 1 && g.sW == 1 && g.dH == 1 && g.dW == 1 && g.kH * g.kW > 1 &&
         g.Ho == g.H + 2 * g.pH - g.kH + 1 && g.Wo == g.W + 2 * g.pW - g.kW + 1;
}

}  // namespace

bool direct_conv2d_applies(const Geo& g) { return stride_one(g) && worth_it(g.Wo, g); }

bool direct_conv2d_weight_grad_applies(const Geo& g) { return stride_one(g) && worth_it(g.Wo, g); }

bool direct_conv2d_input_grad_applies(const Geo& g) {
  return stride_one(g) && worth_it(g.W, g) && g.pH < g.kH && g.pW < g.kW;
}

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

// dw[o, c, i, j] = sum_{n,a,b} gy[n, o, a, b] xpad[n, c, a + i, b + j]. The whole batch is padded first; then each
// (block of output channels, input channel) task sums over every sample on its own, so dw does not depend on the
// number of threads.
void direct_conv2d_weight_grad(const float* x, const float* gy, float* dw, const Geo& g) {
  const int64_t Wop = round_up(g.Wo, kVec);
  const WeightGrad k{g.C, g.H + 2 * g.pH, Wop + g.kW - 1, g.O, g.kH, g.kW, g.Ho, g.Wo, Wop};
  Tensor xpad = zeros({g.N * k.C * k.Hp * k.Wp}, kFloat32);
  Tensor gypad = Wop == g.Wo ? Tensor() : zeros({g.N * g.O * g.Ho * Wop}, kFloat32);
  float* xp = xpad.data_ptr<float>();
  float* gp = gypad.defined() ? gypad.data_ptr<float>() : nullptr;
  for (int64_t nc = 0; nc < g.N * g.C; ++nc)
    for (int64_t h = 0; h < g.H; ++h)
      std::memcpy(xp + (nc * k.Hp + h + g.pH) * k.Wp + g.pW, x + (nc * g.H + h) * g.W, g.W * sizeof(float));
  if (gp)
    for (int64_t no = 0; no < g.N * g.O; ++no)
      for (int64_t a = 0; a < g.Ho; ++a)
        std::memcpy(gp + (no * g.Ho + a) * Wop, gy + (no * g.Ho + a) * g.Wo, g.Wo * sizeof(float));
  const float* gy_rows = gp ? gp : gy;
  std::vector<int64_t> widths;  // blocks of output channels: 8 while 8 remain, then 4, 2, 1
  for (int64_t width = 8, left = g.O; left > 0; width /= 2)
    for (; left >= width; left -= width) widths.push_back(width);
  std::vector<int64_t> first{0};
  for (int64_t w : widths) first.push_back(first.back() + w);
  const int64_t chunks = (g.C + kChannelChunk - 1) / kChannelChunk,
                tasks = static_cast<int64_t>(widths.size()) * chunks;
  const int64_t taps = g.kH * g.kW;
  const bool big = g.N * g.O * g.Ho * g.Wo * g.C * taps >= (int64_t{1} << 20);
#pragma omp parallel for schedule(dynamic) num_threads(get_num_threads()) if (big)
  for (int64_t task = 0; task < tasks; ++task) {
    const int64_t blk = task / chunks, c0 = (task % chunks) * kChannelChunk;
    const int64_t c1 = std::min(g.C, c0 + kChannelChunk), o0 = first[blk], OB = widths[blk];
    // per channel c and row i of taps: OB x J vectors for each group of J <= 3 taps j0 .. j0 + J - 1, at
    // sums[((c - c0) taps + i kW + j0) OB + ob J + jj]
    std::vector<Vec> sums((c1 - c0) * taps * OB, Vec{});
    for (int64_t n = 0; n < g.N; ++n) {  // the samples outside: the OB channels of gy[n] stay in cache
      const float* gyb = gy_rows + (n * g.O + o0) * g.Ho * Wop;
      for (int64_t c = c0; c < c1; ++c) {
        const float* xc = xp + (n * k.C + c) * k.Hp * k.Wp;
        for (int64_t i = 0; i < g.kH; ++i)
          for (int64_t j0 = 0; j0 < g.kW; j0 += 3) {
            const int J = static_cast<int>(std::min<int64_t>(3, g.kW - j0));
            Vec* s = sums.data() + ((c - c0) * taps + i * g.kW + j0) * OB;
            switch (OB) {
              case 8:
                weight_taps<8>(J, gyb, xc, i, j0, k, s);
                break;
              case 4:
                weight_taps<4>(J, gyb, xc, i, j0, k, s);
                break;
              case 2:
                weight_taps<2>(J, gyb, xc, i, j0, k, s);
                break;
              default:
                weight_taps<1>(J, gyb, xc, i, j0, k, s);
                break;
            }
          }
      }
    }
    for (int64_t c = c0; c < c1; ++c)
      for (int64_t i = 0; i < g.kH; ++i)
        for (int64_t j0 = 0; j0 < g.kW; j0 += 3) {
          const int64_t J = std::min<int64_t>(3, g.kW - j0);
          const Vec* s = sums.data() + ((c - c0) * taps + i * g.kW + j0) * OB;
          for (int64_t ob = 0; ob < OB; ++ob)
            for (int64_t jj = 0; jj < J; ++jj)
              dw[(((o0 + ob) * g.C + c) * g.kH + i) * g.kW + j0 + jj] = static_cast<float>(lanes_sum(s[ob * J + jj]));
        }
  }
}

}  // namespace dgm::cpu
