// CPU reductions. Each output element owns a disjoint set of input elements,
// so outputs are computed in parallel, each by a loop over its reduced dims.
// Summing the leading dims of a contiguous tensor (bias gradients: (N,D) ->
// (D)) takes a row-accumulating path instead, so memory is read in order;
// summing all of a contiguous tensor is split into chunks across threads.
#include <algorithm>
#include <cmath>
#include <limits>

#include "tensor/backend/backend.h"
#include "tensor/cpu/loops.h"

namespace dgm::cpu {
using kernels::ArgReduce;
using kernels::Reduce;

namespace {

template <typename T>
using Acc = std::conditional_t<std::is_same_v<T, float>, double, T>;

// The sum of n contiguous values, accumulated in Acc<T>: 16 independent
// running sums (lane j adds p[j], p[j + 16], ...), which the compiler keeps in
// vector registers, then added pairwise. A single chain would wait on each
// add's latency: 16 lanes sum float32 into float64 ~8x faster.
template <typename T>
Acc<T> sum_run(const T* p, int64_t n) {
  constexpr int kLanes = 16;
  Acc<T> lane[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) lane[j] += p[i + j];
  for (int j = 0; i < n; ++i, ++j) lane[j] += p[i];
  for (int width = kLanes / 2; width > 0; width /= 2)
    for (int j = 0; j < width; ++j) lane[j] += lane[j + width];
  return lane[0];
}

// Offset in x of the first element reduced into output element o, given the
// kept dims' sizes and strides (out_strides: contiguous strides of kept_shape).
inline int64_t kept_offset(int64_t o, const Shape& kept_shape, const Shape& kept_strides, const Shape& out_strides) {
  int64_t base = 0;
  for (size_t d = 0; d < kept_shape.size(); ++d) base += (o / out_strides[d]) % kept_shape[d] * kept_strides[d];
  return base;
}

template <typename T>
void reduce_typed(Reduce op, const Tensor& x, const Tensor& out, const std::vector<int64_t>& dims) {
  // Split x's dims into kept (indexed by the output) and reduced ones.
  std::vector<bool> reduced(x.dim(), false);
  for (int64_t d : dims) reduced[d] = true;
  Shape kept_shape, kept_strides, red_shape, red_strides;
  for (int64_t d = 0; d < x.dim(); ++d) {
    (reduced[d] ? red_shape : kept_shape).push_back(x.size(d));
    (reduced[d] ? red_strides : kept_strides).push_back(x.stride(d));
  }
  const T* px = x.data_ptr<T>();
  T* po = out.data_ptr<T>();
  const int64_t n_out = out.numel();
  const int64_t n_red = numel_of(red_shape);
  Shape out_strides = contiguous_strides(kept_shape);

  auto reduce_one = [&](int64_t o) {
    const T* start = px + kept_offset(o, kept_shape, kept_strides, out_strides);
    Acc<T> acc = 0;
    switch (op) {
      case Reduce::Sum:
        acc = 0;
        break;
      case Reduce::Prod:
        acc = 1;
        break;
      case Reduce::Max:
        acc = -std::numeric_limits<T>::infinity();
        break;
      case Reduce::Min:
        acc = std::numeric_limits<T>::infinity();
        break;
    }
    if constexpr (std::is_integral_v<T>) {
      if (op == Reduce::Max) acc = std::numeric_limits<T>::lowest();
      if (op == Reduce::Min) acc = std::numeric_limits<T>::max();
    }
    bool nan = false;
    for_each_strided<1>(
        red_shape, {&red_strides},
        [&](Offsets<1> off, int64_t n, Offsets<1> st) {
          const T* p = start + off[0];
          const int64_t s = st[0];
          switch (op) {
            case Reduce::Sum:
              if (s == 1) {
                acc += sum_run(p, n);
              } else {
                for (int64_t i = 0; i < n; ++i) acc += p[i * s];
              }
              break;
            case Reduce::Prod:
              for (int64_t i = 0; i < n; ++i) acc *= p[i * s];
              break;
            case Reduce::Max:
              for (int64_t i = 0; i < n; ++i) {
                T v = p[i * s];
                nan = nan || v != v;
                acc = v > acc ? v : acc;
              }
              break;
            case Reduce::Min:
              for (int64_t i = 0; i < n; ++i) {
                T v = p[i * s];
                nan = nan || v != v;
                acc = v < acc ? v : acc;
              }
              break;
          }
        },
        /*parallel=*/false);  // acc and nan are shared: one thread per output (outputs run in parallel below)
    po[o] = nan ? std::numeric_limits<T>::quiet_NaN() : static_cast<T>(acc);
  };
  if (n_out * n_red < kParallelGrain || n_out == 1) {
    for (int64_t o = 0; o < n_out; ++o) reduce_one(o);
  } else {
#pragma omp parallel for schedule(static)
    for (int64_t o = 0; o < n_out; ++o) reduce_one(o);
  }
}

// out[c] = sum_r x[r, c] for a contiguous (R, C) block: each thread adds a
// band of rows into its own float64 (for float32) row buffer, then the
// buffers are added.
template <typename T>
void sum_leading_rows(const T* px, T* po, int64_t rows, int64_t cols) {
  using A = Acc<T>;
  int64_t parts = rows * cols < kParallelGrain ? 1 : std::min<int64_t>(get_num_threads(), rows);
  parts = std::max<int64_t>(parts, 1);
  std::vector<A> partial(parts * cols, A(0));
  auto add_band = [&](int64_t p) {
    A* acc = partial.data() + p * cols;
    const int64_t r0 = rows * p / parts, r1 = rows * (p + 1) / parts;
    for (int64_t r = r0; r < r1; ++r) {
      const T* row = px + r * cols;
      for (int64_t c = 0; c < cols; ++c) acc[c] += row[c];
    }
  };
  if (parts == 1) {
    add_band(0);
  } else {
#pragma omp parallel for schedule(static)
    for (int64_t p = 0; p < parts; ++p) add_band(p);
  }
  for (int64_t c = 0; c < cols; ++c) {
    A total = partial[c];
    for (int64_t p = 1; p < parts; ++p) total += partial[p * cols + c];
    po[c] = static_cast<T>(total);
  }
}

// The sum of n contiguous values: fixed chunks (so the result does not depend
// on the thread count), each summed by sum_run, then the chunk sums.
template <typename T>
T sum_contiguous(const T* px, int64_t n) {
  using A = Acc<T>;
  constexpr int64_t kChunk = 16384;
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<A> partial(chunks);
  auto chunk_sum = [&](int64_t c) { partial[c] = sum_run(px + c * kChunk, std::min(kChunk, n - c * kChunk)); };
  if (n < kParallelGrain) {
    for (int64_t c = 0; c < chunks; ++c) chunk_sum(c);
  } else {
#pragma omp parallel for schedule(static)
    for (int64_t c = 0; c < chunks; ++c) chunk_sum(c);
  }
  A total = 0;
  for (A v : partial) total += v;
  return static_cast<T>(total);
}

// True when dims are 0..k-1 with 0 < k < x.dim() and x is contiguous.
bool is_leading_reduction(const Tensor& x, const std::vector<int64_t>& dims) {
  if (dims.empty() || static_cast<int64_t>(dims.size()) >= x.dim() || !x.is_contiguous()) return false;
  for (size_t i = 0; i < dims.size(); ++i)
    if (dims[i] != static_cast<int64_t>(i)) return false;
  return true;
}

template <typename T>
void arg_reduce_typed(ArgReduce op, const Tensor& x, int64_t dim, const Tensor& values, const Tensor& indices) {
  Shape kept_shape, kept_strides;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (d != dim) {
      kept_shape.push_back(x.size(d));
      kept_strides.push_back(x.stride(d));
    }
  const Shape out_strides = contiguous_strides(kept_shape);
  const T* px = x.data_ptr<T>();
  T* pv = values.data_ptr<T>();
  int64_t* pi = indices.data_ptr<int64_t>();
  const int64_t n = x.size(dim), s = x.stride(dim), n_out = values.numel();
  const bool is_max = op == ArgReduce::Max;
  auto one = [&](int64_t o) {
    const T* p = px + kept_offset(o, kept_shape, kept_strides, out_strides);
    T best = p[0];
    int64_t at = 0;
    // !(v <= best) holds when v > best or v is NaN: the first NaN wins and ends the search.
    if (best == best) {
      for (int64_t i = 1; i < n; ++i) {
        const T v = p[i * s];
        if (is_max ? !(v <= best) : !(v >= best)) {
          best = v;
          at = i;
          if (v != v) break;
        }
      }
    }
    pv[o] = best;
    pi[o] = at;
  };
  if (n_out * n < kParallelGrain || n_out == 1) {
    for (int64_t o = 0; o < n_out; ++o) one(o);
  } else {
#pragma omp parallel for schedule(static)
    for (int64_t o = 0; o < n_out; ++o) one(o);
  }
}

}  // namespace

// values, indices = the max (min) along dim and its first position
void arg_reduce(ArgReduce op, const Tensor& values, const Tensor& indices, const Tensor& x, int64_t dim) {
  dispatch_numeric(x.dtype(), op == ArgReduce::Max ? "argmax" : "argmin",
                   [&]<typename T>() { arg_reduce_typed<T>(op, x, dim, values, indices); });
}

// out = op over dims of x
void reduce(Reduce op, const Tensor& out, const Tensor& x, const std::vector<int64_t>& dims) {
  if (op == Reduce::Sum && x.is_contiguous() && static_cast<int64_t>(dims.size()) == x.dim() && x.numel() > 0) {
    dispatch_numeric(x.dtype(), "sum",
                     [&]<typename T>() { *out.data_ptr<T>() = sum_contiguous<T>(x.data_ptr<T>(), x.numel()); });
    return;
  }
  if (op == Reduce::Sum && is_leading_reduction(x, dims) && x.numel() > 0) {
    int64_t rows = 1;
    for (int64_t d : dims) rows *= x.size(d);
    dispatch_numeric(x.dtype(), "sum", [&]<typename T>() {
      sum_leading_rows<T>(x.data_ptr<T>(), out.data_ptr<T>(), rows, x.numel() / rows);
    });
    return;
  }
  dispatch_numeric(x.dtype(), "reduce", [&]<typename T>() { reduce_typed<T>(op, x, out, dims); });
}

}  // namespace dgm::cpu
