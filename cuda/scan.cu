// CUDA cumulative scans (cumsum, cumprod), as tensor/cpu/scan.cpp: inclusive,
// optionally from the last element to the first, float32 accumulating in
// float64. The output is contiguous with x's shape.
//
// x is a set of independent lines along `dim`: line l is the l-th element
// (row-major) of x's shape without `dim`, and holds n = x.size(dim) elements.
// Two kernels, kept simple on purpose (this is a teaching code base):
//   scan_threads_kernel  one thread per line, a sequential loop along it, like
//       the CPU. Neighbouring threads own neighbouring lines, so when the dims
//       after `dim` are not all 1 (cumsum over dim 0 of (N, D)) the output
//       (and a contiguous input) is read and written coalesced. A very long
//       line is slow this way (one thread walks it alone); fine for the
//       scans of this project.
//   scan_warps_kernel    one warp per line, when the line is contiguous in
//       the output (scanning the last dim) and at least 32 long: the warp
//       takes 32 elements at a time, scans them with shuffles (lane i adds
//       lane i-1, i-2, i-4, ...: log2(32) = 5 steps), adds the total carried
//       from the previous 32, and passes the new total on from lane 31.
#include <algorithm>

#include "cuda/elementwise.cuh"
#include "cuda/indexing.cuh"
#include "cuda/reduce.cuh"
#include "cuda/runtime.h"
#include "tensor/backend/backend.h"

namespace dgm::cuda {
using kernels::Scan;

namespace {

struct ScanPlan {
  int64_t lines = 0, n = 0;          // lines, and elements per line
  int64_t x_step = 0, out_step = 0;  // strides along dim, in x and in the output
  bool reverse = false;
  StridedOffsets<2> line;  // line number -> {offset in the output, offset in x}
};

template <typename A, bool kSum>
__device__ A combine(A a, A b) {
  return kSum ? a + b : a * b;
}

// out[k] = x[0] (+|*) ... (+|*) x[k] along each line (x[n-1] ... x[k] when reversed)
template <typename T, bool kSum>
__global__ void scan_threads_kernel(const T* x, T* out, ScanPlan p) {
  using A = Acc<T>;
  DGM_GRID_STRIDE(l, p.lines) {
    int64_t off[2];
    p.line.offsets(l, off);
    A acc = kSum ? A(0) : A(1);
    for (int64_t step = 0; step < p.n; ++step) {
      const int64_t i = p.reverse ? p.n - 1 - step : step;
      acc = combine<A, kSum>(acc, A(x[off[1] + i * p.x_step]));
      out[off[0] + i * p.out_step] = static_cast<T>(acc);
    }
  }
}

// The same, one warp per line (blockDim.x a multiple of 32).
template <typename T, bool kSum>
__global__ void scan_warps_kernel(const T* x, T* out, ScanPlan p) {
  using A = Acc<T>;
  const A identity = kSum ? A(0) : A(1);
  const int lane = threadIdx.x % kWarp;
  const int64_t first_warp = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
  const int64_t n_warps = static_cast<int64_t>(gridDim.x) * blockDim.x / kWarp;
  // Loop bounds are the same for all lanes of a warp, as the full-mask shuffles require.
  for (int64_t l = first_warp; l < p.lines; l += n_warps) {
    int64_t off[2];
    p.line.offsets(l, off);
    A carry = identity;  // the scan of everything before this tile
    for (int64_t tile = 0; tile < p.n; tile += kWarp) {
      const int64_t step = tile + lane;
      const int64_t i = p.reverse ? p.n - 1 - step : step;
      A v = step < p.n ? A(x[off[1] + i * p.x_step]) : identity;
      for (int d = 1; d < kWarp; d *= 2) {  // inclusive scan over the lanes
        const A y = shfl_up(v, d);
        if (lane >= d) v = combine<A, kSum>(y, v);
      }
      v = combine<A, kSum>(carry, v);
      if (step < p.n) out[off[0] + i * p.out_step] = static_cast<T>(v);
      carry = shfl(v, kWarp - 1);
    }
  }
}

template <typename T, bool kSum>
void scan_typed(const char* name, const Tensor& x, const Tensor& out, int64_t dim, bool reverse) {
  ScanPlan p;
  p.n = x.size(dim);
  p.lines = x.numel() / p.n;
  p.x_step = x.stride(dim);
  const Shape out_strides = contiguous_strides(x.shape());
  p.out_step = out_strides[dim];
  p.reverse = reverse;
  Shape line_shape, line_out, line_x;  // x's dims without `dim`
  for (int64_t d = 0; d < x.dim(); ++d)
    if (d != dim) {
      line_shape.push_back(x.size(d));
      line_out.push_back(out_strides[d]);
      line_x.push_back(x.stride(d));
    }
  p.line = make_offsets<2>(name, line_shape, {&line_out, &line_x});
  const T* px = static_cast<const T*>(x.raw_data());
  T* po = static_cast<T*>(out.raw_data());
  if (p.out_step == 1 && p.n >= kWarp) {
    const int64_t lines_per_block = kBlock / kWarp;
    const auto grid =
        static_cast<unsigned>(std::min<int64_t>((p.lines + lines_per_block - 1) / lines_per_block, int64_t{1} << 20));
    scan_warps_kernel<T, kSum><<<grid, kBlock, 0, stream()>>>(px, po, p);
  } else {
    scan_threads_kernel<T, kSum><<<grid_for(p.lines), kBlock, 0, stream()>>>(px, po, p);
  }
  check_launch(name);
}

}  // namespace

// out[i] = x[0] op ... op x[i] along dim (from the end when reverse)
void scan(Scan op, const Tensor& out, const Tensor& x, int64_t dim, bool reverse) {
  const char* name = op == Scan::Sum ? "cumsum" : "cumprod";
  dispatch_numeric(x.dtype(), name, [&]<typename T>() {
    if (op == Scan::Sum)
      scan_typed<T, true>(name, x, out, dim, reverse);
    else
      scan_typed<T, false>(name, x, out, dim, reverse);
  });
}

}  // namespace dgm::cuda
