// From a flat element number to memory offsets in N strided operands.
//
// An op over tensors of one shape visits output element i (row-major) and
// must find where element i lives in each operand: offset = sum_d idx_d *
// stride_d, where idx_d are the digits of i in the mixed radix of the shape.
// Dims that are back to back in every operand are merged first, so the
// common case (all contiguous) has one dim and no division at all.
#pragma once
#include <array>
#include <cstdint>

#include "tensor/tensor.h"

namespace dgm::cuda {

constexpr int kMaxDims = 12;

template <int N>
struct StridedOffsets {
  int ndim = 0;         // after merging; 0 means one element
  bool narrow = false;  // fewer than 2^32 elements: 32-bit division suffices
  int64_t size[kMaxDims] = {};
  int64_t stride[kMaxDims][N] = {};

  // offsets[k] = where element i lives in operand k. The digits of i come
  // from division, which GPUs do in software: a 64-bit one costs several
  // times a 32-bit one, so tensors with fewer than 2^32 elements use 32 bits.
  __host__ __device__ void offsets(int64_t i, int64_t (&out)[N]) const {
    for (int k = 0; k < N; ++k) out[k] = 0;
    if (narrow) {
      uint32_t j = static_cast<uint32_t>(i);
      for (int d = ndim - 1; d >= 0; --d) {
        const uint32_t s = static_cast<uint32_t>(size[d]);
        const uint32_t q = j / s;
        const int64_t idx = j - q * s;
        j = q;
        for (int k = 0; k < N; ++k) out[k] += idx * stride[d][k];
      }
      return;
    }
    for (int d = ndim - 1; d >= 0; --d) {
      int64_t idx = i % size[d];
      i /= size[d];
      for (int k = 0; k < N; ++k) out[k] += idx * stride[d][k];
    }
  }
};

// True when each operand is either contiguous or one broadcast number, so that
// offsets are i or 0 and no division is needed.
template <int N>
bool is_flat(const StridedOffsets<N>& so, std::array<int64_t, N>& steps) {
  if (so.ndim > 1) return false;
  for (int k = 0; k < N; ++k) {
    steps[k] = so.ndim == 0 ? 0 : so.stride[0][k];
    if (steps[k] != 0 && steps[k] != 1) return false;
  }
  return true;
}

// Merges the dims of `shape` for operands with the given strides.
template <int N>
StridedOffsets<N> make_offsets(const char* op, const Shape& shape, const std::array<const Shape*, N>& strides) {
  StridedOffsets<N> so;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    int64_t s[N];
    for (int k = 0; k < N; ++k) s[k] = (*strides[k])[d];
    if (so.ndim > 0) {
      bool mergeable = true;
      for (int k = 0; k < N; ++k) mergeable = mergeable && so.stride[so.ndim - 1][k] == s[k] * shape[d];
      if (mergeable) {
        so.size[so.ndim - 1] *= shape[d];
        for (int k = 0; k < N; ++k) so.stride[so.ndim - 1][k] = s[k];
        continue;
      }
    }
    DGM_CHECK(so.ndim < kMaxDims, op, ": CUDA kernels take at most ", kMaxDims, " dims after merging, got shape ",
              shape_str(shape));
    so.size[so.ndim] = shape[d];
    for (int k = 0; k < N; ++k) so.stride[so.ndim][k] = s[k];
    ++so.ndim;
  }
  so.narrow = numel_of(shape) < (int64_t{1} << 32);
  return so;
}

}  // namespace dgm::cuda
