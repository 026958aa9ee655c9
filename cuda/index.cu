// CUDA index kernels: gather, scatter (plain and accumulating), index_select,
// index_add_, and the index range check. Same meaning as tensor/cpu/index.cpp
// (read tensor/kernels/index.h). One thread per element of the index; the
// index and the data may be any strided views.
//
// Where the GPU differs from the CPU:
// - scatter without accumulation writes duplicates in an unspecified order
//   (the CPU's "last write in row-major order wins" would need a serial loop),
//   as in PyTorch: with duplicate indices any one of the values may win.
// - accumulation uses atomicAdd, so float sums over duplicates are added in an
//   unspecified order and may differ from the CPU (and from run to run) in the
//   last bits. int64 and bool accumulation is exact.
// - check_index_range waits for the GPU (see cuda/index_search.cuh).
#include "cuda/elementwise.cuh"
#include "cuda/index_search.cuh"
#include "tensor/backend/backend.h"

namespace dgm::cuda {
namespace {

// x's strides with the one along dim zeroed (that position comes from the
// index), and the zeroed stride. A 0-D x (where the index can only be 0 or
// -1 wrapped to 0 by the front end) has neither.
std::pair<Shape, int64_t> strides_without(const Tensor& x, int64_t dim) {
  Shape s = x.strides();
  if (x.dim() == 0) return {s, 0};
  const int64_t step = s[dim];
  s[dim] = 0;
  return {s, step};
}

// out[p] = x[p with p[dim] = index[p]]: so's operands are (out, x with dim's stride 0, index)
template <typename T>
__global__ void gather_kernel(int64_t n, T* out, const T* x, const int64_t* index, int64_t step, StridedOffsets<3> so) {
  DGM_GRID_STRIDE(i, n) {
    int64_t off[3];
    so.offsets(i, off);
    out[off[0]] = x[off[1] + index[off[2]] * step];
  }
}

// dst[p with p[dim] = index[p]] = src[p]: so's operands are (dst with dim's stride 0, src, index)
template <typename T>
__global__ void scatter_kernel(int64_t n, T* dst, const T* src, const int64_t* index, int64_t step,
                               StridedOffsets<3> so) {
  DGM_GRID_STRIDE(i, n) {
    int64_t off[3];
    so.offsets(i, off);
    dst[off[0] + index[off[2]] * step] = src[off[1]];
  }
}

// One atomic dst += v per element; bool "+" is logical or, as on the CPU
// (bool(slot + v)): every writer of a slot writes true, so no atomic is needed.
__device__ inline void atomic_accumulate(float* p, float v) { atomicAdd(p, v); }
__device__ inline void atomic_accumulate(double* p, double v) { atomicAdd(p, v); }  // sm_60 and newer
__device__ inline void atomic_accumulate(int64_t* p, int64_t v) {
  // Two's complement: adding the unsigned bit patterns is the signed sum (mod 2^64).
  atomicAdd(reinterpret_cast<unsigned long long*>(p), static_cast<unsigned long long>(v));
}
__device__ inline void atomic_accumulate(bool* p, bool v) {
  if (v) *p = true;
}

// dst[p with p[dim] = index[p]] += src[p] (atomically)
template <typename T>
__global__ void scatter_add_kernel(int64_t n, T* dst, const T* src, const int64_t* index, int64_t step,
                                   StridedOffsets<3> so) {
  DGM_GRID_STRIDE(i, n) {
    int64_t off[3];
    so.offsets(i, off);
    atomic_accumulate(dst + off[0] + index[off[2]] * step, src[off[1]]);
  }
}

template <typename T>
void gather_typed(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index) {
  const int64_t n = index.numel();
  if (n == 0) return;
  auto [xs, step] = strides_without(x, dim);
  StridedOffsets<3> so = make_offsets<3>("gather", index.shape(), {&out.strides(), &xs, &index.strides()});
  gather_kernel<T><<<grid_for(n), kBlock, 0, stream()>>>(n, static_cast<T*>(out.raw_data()),
                                                         static_cast<const T*>(x.raw_data()),
                                                         static_cast<const int64_t*>(index.raw_data()), step, so);
  check_launch("gather");
}

template <typename T>
void scatter_typed(const Tensor& dst, int64_t dim, const Tensor& index, const Tensor& src, bool accumulate) {
  const int64_t n = index.numel();
  if (n == 0) return;
  auto [ds, step] = strides_without(dst, dim);
  StridedOffsets<3> so = make_offsets<3>("scatter", index.shape(), {&ds, &src.strides(), &index.strides()});
  T* pd = static_cast<T*>(dst.raw_data());
  const T* ps = static_cast<const T*>(src.raw_data());
  const int64_t* pi = static_cast<const int64_t*>(index.raw_data());
  if (accumulate) {
    scatter_add_kernel<T><<<grid_for(n), kBlock, 0, stream()>>>(n, pd, ps, pi, step, so);
    check_launch("scatter_add");
  } else {
    scatter_kernel<T><<<grid_for(n), kBlock, 0, stream()>>>(n, pd, ps, pi, step, so);
    check_launch("scatter");
  }
}

}  // namespace

// Synchronizes: the kernel finds the first bad position, and only that one
// number comes back to the host (PyTorch uses a device-side assert instead,
// which does not wait).
std::optional<int64_t> first_out_of_range(const Tensor& index, int64_t lo, int64_t hi) {
  const int64_t first =
      first_where<int64_t>("index", index, [lo, hi] __device__(int64_t v) { return v < lo || v >= hi; });
  if (first < 0) return std::nullopt;
  return element_at<int64_t>(index, first);
}

// out[p] = x[p with p[dim] = index[p]]
void gather(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index) {
  dispatch_all(x.dtype(), "gather", [&]<typename T>() { gather_typed<T>(out, x, dim, index); });
}

// dst[p with p[dim] = index[p]] = src[p] (+= when accumulate, with atomics)
void scatter_(const Tensor& dst, int64_t dim, const Tensor& index, const Tensor& src, bool accumulate) {
  dispatch_all(dst.dtype(), "scatter", [&]<typename T>() { scatter_typed<T>(dst, dim, index, src, accumulate); });
}

}  // namespace dgm::cuda
