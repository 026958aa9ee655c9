// Finding the first element of a GPU tensor that breaks a rule, so that an
// error can name it exactly as the CPU does ("index 7 is out of bounds ...").
//
// first_where(op, t, bad) runs one kernel over t (any strides) in which every
// element for which bad(v) holds does atomicMin(first, its row-major position);
// first starts at ULLONG_MAX. The one number is then copied back, which waits
// for the GPU: the price of a precise dgm::Error. (PyTorch checks indices with
// a device-side assert instead: no wait, but a failure poisons the CUDA
// context and is reported by some later call.) element_at then copies back the
// offending value itself.
#pragma once
#include <climits>
#include <cstdint>

#include "cuda/elementwise.cuh"  // DGM_GRID_STRIDE
#include "cuda/indexing.cuh"
#include "cuda/runtime.h"
#include "tensor/backend/backend.h"

namespace dgm::cuda {

// first = min over i with bad(t[i]) of i
template <typename T, typename Bad>
__global__ void first_where_kernel(int64_t n, const T* p, StridedOffsets<1> so, Bad bad, unsigned long long* first) {
  DGM_GRID_STRIDE(i, n) {
    int64_t off[1];
    so.offsets(i, off);
    if (bad(p[off[0]])) atomicMin(first, static_cast<unsigned long long>(i));
  }
}

// The row-major position of the first element of t (dtype T) for which
// bad(value) holds, or -1 when there is none. Waits for the GPU.
template <typename T, typename Bad>
int64_t first_where(const char* op, const Tensor& t, Bad bad) {
  const int64_t n = t.numel();
  if (n == 0) return -1;
  Tensor flag = empty({1}, kInt64, t.device());
  auto* first = static_cast<unsigned long long*>(flag.raw_data());
  DGM_CUDA_CHECK(cudaMemsetAsync(first, 0xFF, sizeof(unsigned long long), stream()), op);  // ULLONG_MAX
  StridedOffsets<1> so = make_offsets<1>(op, t.shape(), {&t.strides()});
  first_where_kernel<T><<<grid_for(n), kBlock, 0, stream()>>>(n, static_cast<const T*>(t.raw_data()), so, bad, first);
  check_launch(op);
  unsigned long long host = ULLONG_MAX;
  memcpy_to_host(&host, first, sizeof host);  // cudaMemcpy on stream 0: after the kernel
  return host == ULLONG_MAX ? -1 : static_cast<int64_t>(host);
}

// The element at row-major position i of t (dtype T), copied to the host.
template <typename T>
T element_at(const Tensor& t, int64_t i) {
  int64_t offset = 0;
  for (int64_t d = t.dim() - 1; d >= 0; --d) {
    offset += (i % t.size(d)) * t.stride(d);
    i /= t.size(d);
  }
  T v{};
  memcpy_to_host(&v, static_cast<const T*>(t.raw_data()) + offset, sizeof(T));
  return v;
}

}  // namespace dgm::cuda
