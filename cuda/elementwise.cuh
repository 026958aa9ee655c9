// The elementwise loop on the GPU: one thread per output element.
//
// map1/map2/map3 run out[i] = f(a[i]), f(a[i], b[i]), f(a[i], b[i], c[i])
// over operands with any strides (broadcast ones have stride 0). When every
// operand is contiguous or a single broadcast number (the common case), the
// offsets are i or 0 and the kernel does no index arithmetic at all;
// otherwise StridedOffsets turns i into one offset per operand.
#pragma once
#include <array>

#include "cuda/indexing.cuh"
#include "cuda/runtime.h"

namespace dgm::cuda {

// Grid-stride loop: thread t handles elements t, t + gridDim*blockDim, ...
#define DGM_GRID_STRIDE(i, n)                                                                              \
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n);                   \
       i += static_cast<int64_t>(gridDim.x) * blockDim.x)

template <int N>
struct Steps {
  int64_t s[N];  // 1 (contiguous) or 0 (one broadcast number), per operand
};

// out[i] = f(a[i])
template <typename Out, typename A, typename F>
__global__ void map1_kernel(int64_t n, Out* out, const A* a, bool flat, Steps<2> st, StridedOffsets<2> so, F f) {
  DGM_GRID_STRIDE(i, n) {
    if (flat) {
      out[i * st.s[0]] = f(a[i * st.s[1]]);
    } else {
      int64_t off[2];
      so.offsets(i, off);
      out[off[0]] = f(a[off[1]]);
    }
  }
}

// out[i] = f(a[i], b[i])
template <typename Out, typename A, typename B, typename F>
__global__ void map2_kernel(int64_t n, Out* out, const A* a, const B* b, bool flat, Steps<3> st, StridedOffsets<3> so,
                            F f) {
  DGM_GRID_STRIDE(i, n) {
    if (flat) {
      out[i * st.s[0]] = f(a[i * st.s[1]], b[i * st.s[2]]);
    } else {
      int64_t off[3];
      so.offsets(i, off);
      out[off[0]] = f(a[off[1]], b[off[2]]);
    }
  }
}

// out[i] = f(a[i], b[i], c[i])
template <typename Out, typename A, typename B, typename C, typename F>
__global__ void map3_kernel(int64_t n, Out* out, const A* a, const B* b, const C* c, bool flat, Steps<4> st,
                            StridedOffsets<4> so, F f) {
  DGM_GRID_STRIDE(i, n) {
    if (flat) {
      out[i * st.s[0]] = f(a[i * st.s[1]], b[i * st.s[2]], c[i * st.s[3]]);
    } else {
      int64_t off[4];
      so.offsets(i, off);
      out[off[0]] = f(a[off[1]], b[off[2]], c[off[3]]);
    }
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
  bool flat = plan<2>(op, {&out, &a}, so, st);
  map1_kernel<<<grid_for(n), kBlock, 0, stream()>>>(n, static_cast<Out*>(out.raw_data()),
                                                     static_cast<const A*>(a.raw_data()), flat, st, so, f);
  check_launch(op);
}

template <typename Out, typename A, typename B, typename F>
void map2(const char* op, const Tensor& out, const Tensor& a, const Tensor& b, F f) {
  const int64_t n = out.numel();
  if (n == 0) return;
  StridedOffsets<3> so;
  Steps<3> st;
  bool flat = plan<3>(op, {&out, &a, &b}, so, st);
  map2_kernel<<<grid_for(n), kBlock, 0, stream()>>>(n, static_cast<Out*>(out.raw_data()),
                                                     static_cast<const A*>(a.raw_data()),
                                                     static_cast<const B*>(b.raw_data()), flat, st, so, f);
  check_launch(op);
}

template <typename Out, typename A, typename B, typename C, typename F>
void map3(const char* op, const Tensor& out, const Tensor& a, const Tensor& b, const Tensor& c, F f) {
  const int64_t n = out.numel();
  if (n == 0) return;
  StridedOffsets<4> so;
  Steps<4> st;
  bool flat = plan<4>(op, {&out, &a, &b, &c}, so, st);
  map3_kernel<<<grid_for(n), kBlock, 0, stream()>>>(
      n, static_cast<Out*>(out.raw_data()), static_cast<const A*>(a.raw_data()), static_cast<const B*>(b.raw_data()),
      static_cast<const C*>(c.raw_data()), flat, st, so, f);
  check_launch(op);
}

}  // namespace dgm::cuda
