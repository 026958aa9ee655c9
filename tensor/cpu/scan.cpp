// CPU cumulative scans (cumsum, cumprod). x is seen as (outer, n, inner) along
// the scanned dim; every (outer, inner) line is independent. Lines of the
// same outer index are scanned together, row by row, so a contiguous input is
// read in order; outer blocks run in parallel.
#include <algorithm>
#include <vector>

#include "tensor/backend/backend.h"
#include "tensor/parallel.h"

namespace dgm::cpu {
using kernels::Scan;

namespace {

template <typename T>
using Acc = std::conditional_t<std::is_same_v<T, float>, double, T>;

template <typename T>
void scan_typed(Scan op, const Tensor& x, const Tensor& out, int64_t dim, bool reverse) {
  const int64_t n = x.size(dim);
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < dim; ++d) outer *= x.size(d);
  for (int64_t d = dim + 1; d < x.dim(); ++d) inner *= x.size(d);
  // Strides of x for each of the merged (outer, inner) indices: computed per
  // element from the original dims, since x may be any strided view.
  Shape outer_shape(x.shape().begin(), x.shape().begin() + dim);
  Shape inner_shape(x.shape().begin() + dim + 1, x.shape().end());
  Shape outer_st(x.strides().begin(), x.strides().begin() + dim);
  Shape inner_st(x.strides().begin() + dim + 1, x.strides().end());
  auto offset_of = [](int64_t i, const Shape& shape, const Shape& strides) {
    int64_t off = 0;
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      off += (i % shape[d]) * strides[d];
      i /= shape[d];
    }
    return off;
  };
  std::vector<int64_t> inner_off(inner);
  for (int64_t j = 0; j < inner; ++j) inner_off[j] = offset_of(j, inner_shape, inner_st);
  const T* px = x.data_ptr<T>();
  T* po = out.data_ptr<T>();
  const int64_t sx = x.stride(dim);
  const bool is_sum = op == Scan::Sum;

  // One task: lines j0..j1 of outer block o. Wide inner extents are cut into
  // bands so that a single outer block still spreads over threads.
  constexpr int64_t kBand = 1024;
  const int64_t bands = (inner + kBand - 1) / kBand;
  auto scan_task = [&](int64_t task) {
    const int64_t o = task / bands, j0 = (task % bands) * kBand, j1 = std::min(inner, j0 + kBand);
    std::vector<Acc<T>> acc(j1 - j0, is_sum ? Acc<T>(0) : Acc<T>(1));
    const T* xb = px + offset_of(o, outer_shape, outer_st);
    T* ob = po + o * n * inner;
    for (int64_t step = 0; step < n; ++step) {
      const int64_t i = reverse ? n - 1 - step : step;
      const T* xr = xb + i * sx;
      T* orow = ob + i * inner;
      if (is_sum) {
        for (int64_t j = j0; j < j1; ++j) orow[j] = static_cast<T>(acc[j - j0] += xr[inner_off[j]]);
      } else {
        for (int64_t j = j0; j < j1; ++j) orow[j] = static_cast<T>(acc[j - j0] *= xr[inner_off[j]]);
      }
    }
  };
  if (inner == 1) {  // scanning along the innermost dim: one plain loop per line
    auto scan_line = [&](int64_t o) {
      const T* xb = px + offset_of(o, outer_shape, outer_st);
      T* ob = po + o * n;
      Acc<T> acc = is_sum ? Acc<T>(0) : Acc<T>(1);
      for (int64_t step = 0; step < n; ++step) {
        const int64_t i = reverse ? n - 1 - step : step;
        if (is_sum)
          acc += xb[i * sx];
        else
          acc *= xb[i * sx];
        ob[i] = static_cast<T>(acc);
      }
    };
    if (x.numel() < kParallelGrain) {
      for (int64_t o = 0; o < outer; ++o) scan_line(o);
    } else {
#pragma omp parallel for schedule(static)
      for (int64_t o = 0; o < outer; ++o) scan_line(o);
    }
    return;
  }
  const int64_t tasks = outer * bands;
  if (tasks == 1 || x.numel() < kParallelGrain) {
    for (int64_t t = 0; t < tasks; ++t) scan_task(t);
  } else {
#pragma omp parallel for schedule(static)
    for (int64_t t = 0; t < tasks; ++t) scan_task(t);
  }
}

}  // namespace

// out[i] = x[0] op x[1] op ... op x[i] along dim (from the end when reverse)
void scan(Scan op, const Tensor& out, const Tensor& x, int64_t dim, bool reverse) {
  dispatch_numeric(x.dtype(), op == Scan::Sum ? "cumsum" : "cumprod",
                   [&]<typename T>() { scan_typed<T>(op, x, out, dim, reverse); });
}

}  // namespace dgm::cpu
