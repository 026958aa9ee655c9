// CPU reductions. Each output element owns a disjoint set of input elements,
// so outputs are computed in parallel, each by a loop over its reduced dims.
#include <cmath>
#include <limits>

#include "tensor/cpu/loops.h"
#include "tensor/kernels/reduce.h"

namespace dgm::kernels {
namespace {

template <typename T>
using Acc = std::conditional_t<std::is_same_v<T, float>, double, T>;

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
    // Offset of output element o in x.
    int64_t base = 0;
    for (size_t d = 0; d < kept_shape.size(); ++d) base += (o / out_strides[d]) % kept_shape[d] * kept_strides[d];
    const T* start = px + base;
    Acc<T> acc;
    switch (op) {
      case Reduce::Sum: acc = 0; break;
      case Reduce::Prod: acc = 1; break;
      case Reduce::Max: acc = -std::numeric_limits<T>::infinity(); break;
      case Reduce::Min: acc = std::numeric_limits<T>::infinity(); break;
    }
    if constexpr (std::is_integral_v<T>) {
      if (op == Reduce::Max) acc = std::numeric_limits<T>::lowest();
      if (op == Reduce::Min) acc = std::numeric_limits<T>::max();
    }
    bool nan = false;
    cpu::for_each_strided<1>(red_shape, {&red_strides}, [&](cpu::Offsets<1> off, int64_t n, cpu::Offsets<1> st) {
      const T* p = start + off[0];
      const int64_t s = st[0];
      switch (op) {
        case Reduce::Sum: for (int64_t i = 0; i < n; ++i) acc += p[i * s]; break;
        case Reduce::Prod: for (int64_t i = 0; i < n; ++i) acc *= p[i * s]; break;
        case Reduce::Max:
          for (int64_t i = 0; i < n; ++i) { T v = p[i * s]; nan = nan || v != v; acc = v > acc ? v : acc; }
          break;
        case Reduce::Min:
          for (int64_t i = 0; i < n; ++i) { T v = p[i * s]; nan = nan || v != v; acc = v < acc ? v : acc; }
          break;
      }
    });
    po[o] = nan ? std::numeric_limits<T>::quiet_NaN() : static_cast<T>(acc);
  };
  if (n_out * n_red < kParallelGrain || n_out == 1) {
    for (int64_t o = 0; o < n_out; ++o) reduce_one(o);
  } else {
#pragma omp parallel for schedule(static)
    for (int64_t o = 0; o < n_out; ++o) reduce_one(o);
  }
}

}  // namespace

Tensor reduce(Reduce op, const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  DGM_CHECK(x.is_cpu(), "reduce: CPU kernel got a tensor on ", x.device().str());
  Shape out_shape;
  std::vector<bool> reduced(x.dim(), false);
  for (int64_t d : dims) reduced[d] = true;
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (!reduced[d]) out_shape.push_back(x.size(d));
    else if (keepdim) out_shape.push_back(1);
  }
  if ((op == Reduce::Max || op == Reduce::Min))
    for (int64_t d : dims)
      DGM_CHECK(x.size(d) > 0, op == Reduce::Max ? "max" : "min", ": cannot reduce over dim ", d,
                " of size 0 (shape ", shape_str(x.shape()), ")");
  Tensor out = empty(out_shape, x.dtype(), x.device());
  if (x.dtype() == kBool) {
    // bool reductions (any/all) go through int64
    DGM_FAIL("reduce: bool tensors are reduced through .to(kInt64) first");
  }
  dispatch_numeric(x.dtype(), "reduce", [&]<typename T>() { reduce_typed<T>(op, x, out, dims); });
  return out;
}

}  // namespace dgm::kernels
