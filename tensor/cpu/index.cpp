// CPU index kernels. gather reads through the index and writes each output
// once, so it runs on the parallel strided loop; scatter may write one place
// many times, so it runs serially in row-major order.
#include "tensor/backend/backend.h"
#include "tensor/cpu/loops.h"

namespace dgm::cpu {
namespace {

// Visits every element of `shape` in row-major order, serially, handing `f`
// the offsets of that element in each of the N operands.
template <size_t N, typename F>
void for_each_serial(const Shape& shape, const std::array<const Shape*, N>& strides, F&& f) {
  const int64_t total = numel_of(shape);
  const int64_t nd = static_cast<int64_t>(shape.size());
  std::vector<int64_t> pos(shape.size(), 0);
  Offsets<N> off{};
  for (int64_t n = 0; n < total; ++n) {
    f(off);
    for (int64_t d = nd - 1; d >= 0; --d) {  // odometer step
      for (size_t k = 0; k < N; ++k) off[k] += (*strides[k])[d];
      if (++pos[d] < shape[d]) break;
      for (size_t k = 0; k < N; ++k) off[k] -= shape[d] * (*strides[k])[d];
      pos[d] = 0;
    }
  }
}

}  // namespace

std::optional<int64_t> first_out_of_range(const Tensor& index, int64_t lo, int64_t hi) {
  for (int64_t v : index.to_vector<int64_t>())
    if (v < lo || v >= hi) return v;
  return std::nullopt;
}

// out[p] = x[p with p[dim] = index[p]]
void gather(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index) {
  Shape xs = x.strides();
  const int64_t step = xs[dim];
  xs[dim] = 0;  // the position along dim comes from the index
  const int64_t* pi = index.data_ptr<int64_t>();
  dispatch_all(x.dtype(), "gather", [&]<typename T>() {
    T* po = out.data_ptr<T>();
    const T* px = x.data_ptr<T>();
    for_each_strided<3>(index.shape(), {&out.strides(), &xs, &index.strides()},
                        [&](Offsets<3> off, int64_t n, Offsets<3> st) {
                          for (int64_t i = 0; i < n; ++i)
                            po[off[0] + i * st[0]] = px[off[1] + i * st[1] + pi[off[2] + i * st[2]] * step];
                        });
  });
}

// dst[p with p[dim] = index[p]] = src[p] (or +=), serially in row-major order of p
void scatter_(const Tensor& dst, int64_t dim, const Tensor& index, const Tensor& src, bool accumulate) {
  Shape ds = dst.strides();
  const int64_t step = ds[dim];
  ds[dim] = 0;
  const int64_t* pi = index.data_ptr<int64_t>();
  dispatch_all(dst.dtype(), "scatter", [&]<typename T>() {
    T* pd = dst.data_ptr<T>();
    const T* ps = src.data_ptr<T>();
    for_each_serial<3>(index.shape(), {&ds, &src.strides(), &index.strides()}, [&](Offsets<3> off) {
      T& slot = pd[off[0] + pi[off[2]] * step];
      if (accumulate)
        slot = static_cast<T>(slot + ps[off[1]]);
      else
        slot = ps[off[1]];
    });
  });
}

}  // namespace dgm::cpu
