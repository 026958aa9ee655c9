// The elementwise loop on the GPU: one thread per output element.
//
// map1/map2/map3 run out[i] = f(a[i]), f(a[i], b[i]), f(a[i], b[i], c[i])
// over operands with any strides (broadcast ones have stride 0). When every
// operand is contiguous or a single broadcast number (the common case), the
// offsets are i or 0 and the flat kernels do no index arithmetic at all;
// otherwise the strided kernels turn i into one offset per operand.
#pragma once
#include <array>

#include "cuda/indexing.cuh"
#include "cuda/runtime.h"

namespace dgm::cuda {

// Grid-stride loop: thread t handles elements t, t + gridDim*blockDim, ...
#define DGM_GRID_STRIDE(i, n)                                                            \
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); \
       i += static_cast<int64_t>(gridDim.x) * blockDim.x)

template <int N>
struct Steps {
  int64_t s[N];  // 1 (contiguous) or 0 (one broadcast number), per operand
};

// The flat path: every operand contiguous (step 1) or a single broadcast
// number (step 0). Each thread handles kUnroll elements blockDim.x apart and
// loads all of them before computing anything: with several loads in flight
// per thread the GPU hides the memory latency (one load per thread leaves
// half of the bandwidth unused). Neighbouring threads touch neighbouring
// addresses, so every load is coalesced.
constexpr int kUnroll = 4;

#define DGM_FLAT_TILES(base, n)                                                                          \
  for (int64_t base = static_cast<int64_t>(blockIdx.x) * blockDim.x * kUnroll + threadIdx.x; base < (n); \
       base += static_cast<int64_t>(gridDim.x) * blockDim.x * kUnroll)

// out[i] = f(a[i])
template <typename Out, typename A, typename F>
__global__ void map1_flat_kernel(int64_t n, Out* out, const A* a, Steps<2> st, F f) {
  DGM_FLAT_TILES(base, n) {
    A va[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const int64_t i = base + u * blockDim.x;
      if (i < n) va[u] = a[i * st.s[1]];
    }
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const int64_t i = base + u * blockDim.x;
      if (i < n) out[i * st.s[0]] = f(va[u]);
    }
  }
}

// out[i] = f(a[i], b[i])
template <typename Out, typename A, typename B, typename F>
__global__ void map2_flat_kernel(int64_t n, Out* out, const A* a, const B* b, Steps<3> st, F f) {
  DGM_FLAT_TILES(base, n) {
    A va[kUnroll];
    B vb[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const int64_t i = base + u * blockDim.x;
      if (i < n) va[u] = a[i * st.s[1]], vb[u] = b[i * st.s[2]];
    }
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const int64_t i = base + u * blockDim.x;
      if (i < n) out[i * st.s[0]] = f(va[u], vb[u]);
    }
  }
}

// out[i] = f(a[i], b[i], c[i])
template <typename Out, typename A, typename B, typename C, typename F>
__global__ void map3_flat_kernel(int64_t n, Out* out, const A* a, const B* b, const C* c, Steps<4> st, F f) {
  DGM_FLAT_TILES(base, n) {
    A va[kUnroll];
    B vb[kUnroll];
    C vc[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const int64_t i = base + u * blockDim.x;
      if (i < n) va[u] = a[i * st.s[1]], vb[u] = b[i * st.s[2]], vc[u] = c[i * st.s[3]];
    }
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const int64_t i = base + u * blockDim.x;
      if (i < n) out[i * st.s[0]] = f(va[u], vb[u], vc[u]);
    }
  }
}

// The strided path: StridedOffsets turns element i into one offset per
// operand; kUnroll elements per thread, loaded before any is computed, as above.
template <typename Out, typename A, typename F>
__global__ void map1_kernel(int64_t n, Out* out, const A* a, StridedOffsets<2> so, F f) {
  DGM_FLAT_TILES(base, n) {
    int64_t off[kUnroll][2];
    A va[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const int64_t i = base + u * blockDim.x;
      if (i < n) so.offsets(i, off[u]), va[u] = a[off[u][1]];
    }
#pragma unroll
    for (int u = 0; u < kUnroll; ++u)
      if (base + u * blockDim.x < n) out[off[u][0]] = f(va[u]);
  }
}

template <typename Out, typename A, typename B, typename F>
__global__ void map2_kernel(int64_t n, Out* out, const A* a, const B* b, StridedOffsets<3> so, F f) {
  DGM_FLAT_TILES(base, n) {
    int64_t off[kUnroll][3];
    A va[kUnroll];
    B vb[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const int64_t i = base + u * blockDim.x;
      if (i < n) so.offsets(i, off[u]), va[u] = a[off[u][1]], vb[u] = b[off[u][2]];
    }
#pragma unroll
    for (int u = 0; u < kUnroll; ++u)
      if (base + u * blockDim.x < n) out[off[u][0]] = f(va[u], vb[u]);
  }
}

template <typename Out, typename A, typename B, typename C, typename F>
__global__ void map3_kernel(int64_t n, Out* out, const A* a, const B* b, const C* c, StridedOffsets<4> so, F f) {
  DGM_FLAT_TILES(base, n) {
    int64_t off[kUnroll][4];
    A va[kUnroll];
    B vb[kUnroll];
    C vc[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const int64_t i = base + u * blockDim.x;
      if (i < n) so.offsets(i, off[u]), va[u] = a[off[u][1]], vb[u] = b[off[u][2]], vc[u] = c[off[u][3]];
    }
#pragma unroll
    for (int u = 0; u < kUnroll; ++u)
      if (base + u * blockDim.x < n) out[off[u][0]] = f(va[u], vb[u], vc[u]);
  }
}

// The host side: merge dims, pick the flat path when possible, launch.
template <int N>
bool plan(const char* op, const std::array<const Tensor*, N>& ts, StridedOffsets<N>& so, Steps<N>& st) {
  std::array<const Shape*, N> strides;
  for (int k = 0; k < N; ++k) strides[k] = &ts[k]->strides();
  so = make_offsets<N>(op, ts[0]->shape(), strides);
  std::array<int64_t, N> steps;
  bool flat = is_flat<N>(so, steps);
  for (int k = 0; k < N; ++k) st.s[k] = flat ? steps[k] : 0;
  return flat;
}

template <typename Out, typename A, typename F>
void map1(const char* op, const Tensor& out, const Tensor& a, F f) {
  const int64_t n = out.numel();
  if (n == 0) return;
  StridedOffsets<2> so;
  Steps<2> st;
  auto* po = static_cast<Out*>(out.raw_data());
  auto* pa = static_cast<const A*>(a.raw_data());
  if (plan<2>(op, {&out, &a}, so, st))
    map1_flat_kernel<<<grid_for(n, kBlock * kUnroll), kBlock, 0, stream()>>>(n, po, pa, st, f);
  else
    map1_kernel<<<grid_for(n, kBlock * kUnroll), kBlock, 0, stream()>>>(n, po, pa, so, f);
  check_launch(op);
}

template <typename Out, typename A, typename B, typename F>
void map2(const char* op, const Tensor& out, const Tensor& a, const Tensor& b, F f) {
  const int64_t n = out.numel();
  if (n == 0) return;
  StridedOffsets<3> so;
  Steps<3> st;
  auto* po = static_cast<Out*>(out.raw_data());
  auto* pa = static_cast<const A*>(a.raw_data());
  auto* pb = static_cast<const B*>(b.raw_data());
  if (plan<3>(op, {&out, &a, &b}, so, st))
    map2_flat_kernel<<<grid_for(n, kBlock * kUnroll), kBlock, 0, stream()>>>(n, po, pa, pb, st, f);
  else
    map2_kernel<<<grid_for(n, kBlock * kUnroll), kBlock, 0, stream()>>>(n, po, pa, pb, so, f);
  check_launch(op);
}

template <typename Out, typename A, typename B, typename C, typename F>
void map3(const char* op, const Tensor& out, const Tensor& a, const Tensor& b, const Tensor& c, F f) {
  const int64_t n = out.numel();
  if (n == 0) return;
  StridedOffsets<4> so;
  Steps<4> st;
  auto* po = static_cast<Out*>(out.raw_data());
  auto* pa = static_cast<const A*>(a.raw_data());
  auto* pb = static_cast<const B*>(b.raw_data());
  auto* pc = static_cast<const C*>(c.raw_data());
  if (plan<4>(op, {&out, &a, &b, &c}, so, st))
    map3_flat_kernel<<<grid_for(n, kBlock * kUnroll), kBlock, 0, stream()>>>(n, po, pa, pb, pc, st, f);
  else
    map3_kernel<<<grid_for(n, kBlock * kUnroll), kBlock, 0, stream()>>>(n, po, pa, pb, pc, so, f);
  check_launch(op);
}

}  // namespace dgm::cuda
