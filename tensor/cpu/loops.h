// The one loop every CPU elementwise kernel uses.
//
// for_each_strided visits all elements of `shape` for N operands, each with
// its own strides (0 for a broadcast dim). Dims that are laid out back to back
// in every operand are merged first, so a contiguous tensor becomes one flat
// run; the innermost dim is handed to `inner` as (offsets, n, strides), where
// the kernel writes a tight loop the compiler can vectorize.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "tensor/parallel.h"
#include "tensor/shape.h"

namespace dgm::cpu {

template <size_t N>
using Offsets = std::array<int64_t, N>;

// parallel=false keeps every call of `inner` on the calling thread (for an
// `inner` that is not thread-safe, e.g. one that accumulates into one value).
template <size_t N, typename Inner>
void for_each_strided(const Shape& shape, const std::array<const Shape*, N>& strides, Inner&& inner,
                      bool parallel = true) {
  // Collect non-trivial dims, innermost last, merging dims that are contiguous
  // with the next one in every operand.
  std::vector<int64_t> sizes;
  std::vector<Offsets<N>> st;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    Offsets<N> s;
    for (size_t k = 0; k < N; ++k) s[k] = (*strides[k])[d];
    if (!sizes.empty()) {
      bool mergeable = true;
      for (size_t k = 0; k < N; ++k) mergeable = mergeable && st.back()[k] == s[k] * shape[d];
      if (mergeable) {
        sizes.back() *= shape[d];
        st.back() = s;
        continue;
      }
    }
    sizes.push_back(shape[d]);
    st.push_back(s);
  }
  int64_t total = numel_of(shape);
  if (total == 0) return;
  if (sizes.empty()) {  // a single element
    inner(Offsets<N>{}, 1, Offsets<N>{});
    return;
  }
  const int64_t n_inner = sizes.back();
  const Offsets<N> inner_strides = st.back();
  const int64_t n_outer = total / n_inner;
  const int64_t ndim_outer = static_cast<int64_t>(sizes.size()) - 1;

  // Offsets of outer row `row` (a mixed-radix decomposition of `row`).
  auto row_offsets = [&](int64_t row) {
    Offsets<N> off{};
    for (int64_t d = ndim_outer - 1; d >= 0; --d) {
      int64_t i = row % sizes[d];
      row /= sizes[d];
      for (size_t k = 0; k < N; ++k) off[k] += i * st[d][k];
    }
    return off;
  };

  if (n_outer == 1) {
    // One long run: split it into chunks, one per thread.
    if (total < kParallelGrain || !parallel) {
      inner(Offsets<N>{}, n_inner, inner_strides);
      return;
    }
    const int64_t chunk = 8192;
    const int64_t n_chunks = (n_inner + chunk - 1) / chunk;
#pragma omp parallel for schedule(static)
    for (int64_t c = 0; c < n_chunks; ++c) {
      Offsets<N> off;
      for (size_t k = 0; k < N; ++k) off[k] = c * chunk * inner_strides[k];
      int64_t n = std::min(chunk, n_inner - c * chunk);
      inner(off, n, inner_strides);
    }
    return;
  }
  if (total < kParallelGrain || !parallel) {
    for (int64_t row = 0; row < n_outer; ++row) inner(row_offsets(row), n_inner, inner_strides);
    return;
  }
#pragma omp parallel for schedule(static)
  for (int64_t row = 0; row < n_outer; ++row) inner(row_offsets(row), n_inner, inner_strides);
}

}  // namespace dgm::cpu
