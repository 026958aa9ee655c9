// CPU index kernels. gather reads through the index and writes each output
// once, so it runs on the parallel strided loop; scatter may write one place
// many times, so it runs serially in row-major order.
#include "tensor/cpu/loops.h"
#include "tensor/kernels/index.h"
#include "tensor/kernels/dispatch.h"

namespace dgm::kernels {
namespace {

void check_cpu(const char* op, const Tensor& t) {
  DGM_CHECK(t.is_cpu(), op, ": CPU kernel got a tensor on ", t.device().str());
}

// Visits every element of `shape` in row-major order, serially, handing `f`
// the offsets of that element in each of the N operands.
template <size_t N, typename F>
void for_each_serial(const Shape& shape, const std::array<const Shape*, N>& strides, F&& f) {
  const int64_t total = numel_of(shape);
  const int64_t nd = static_cast<int64_t>(shape.size());
  std::vector<int64_t> pos(shape.size(), 0);
  cpu::Offsets<N> off{};
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

// A view of a 1-D index as a tensor of shape `like`, varying only along `dim`.
Tensor expand_index(const Tensor& index, const Shape& like, int64_t dim) {
  Shape strides(like.size(), 0);
  strides[dim] = index.dim() == 0 ? 0 : index.stride(0);
  return make_view(index, like, strides, index.storage_offset());
}

}  // namespace

void check_index_range(const char* op, const Tensor& index, int64_t dim, int64_t size, bool allow_negative) {
  DGM_DISPATCH_CUDA(index, cuda::check_index_range(op, index, dim, size, allow_negative));
  DGM_CHECK(index.dtype() == kInt64, op, ": index must be an int64 tensor, got ", dtype_name(index.dtype()),
            " of shape ", shape_str(index.shape()));
  const int64_t lo = allow_negative ? -size : 0;
  for (int64_t v : index.to_vector<int64_t>())
    DGM_CHECK(v >= lo && v < size, op, ": index ", v, " is out of bounds for dim ", dim, " with size ", size);
}

Tensor gather(const Tensor& x, int64_t dim, const Tensor& index) {
  DGM_DISPATCH_CUDA(x, cuda::gather(x, dim, index));
  check_cpu("gather", x);
  check_cpu("gather", index);
  Tensor out = empty(index.shape(), x.dtype(), x.device());
  Shape xs = x.strides();
  const int64_t step = xs[dim];
  xs[dim] = 0;  // the position along dim comes from the index
  const int64_t* pi = index.data_ptr<int64_t>();
  dispatch_all(x.dtype(), "gather", [&]<typename T>() {
    T* po = out.data_ptr<T>();
    const T* px = x.data_ptr<T>();
    cpu::for_each_strided<3>(index.shape(), {&out.strides(), &xs, &index.strides()},
                             [&](cpu::Offsets<3> off, int64_t n, cpu::Offsets<3> st) {
                               for (int64_t i = 0; i < n; ++i)
                                 po[off[0] + i * st[0]] = px[off[1] + i * st[1] + pi[off[2] + i * st[2]] * step];
                             });
  });
  return out;
}

void scatter_(const Tensor& dst, int64_t dim, const Tensor& index, const Tensor& src, bool accumulate) {
  DGM_DISPATCH_CUDA(dst, cuda::scatter_(dst, dim, index, src, accumulate));
  check_cpu("scatter", dst);
  check_cpu("scatter", index);
  check_cpu("scatter", src);
  DGM_CHECK(dst.dtype() == src.dtype(), "scatter kernel: dst and src dtypes differ (", dtype_name(dst.dtype()), ", ",
            dtype_name(src.dtype()), ")");
  Shape ds = dst.strides();
  const int64_t step = ds[dim];
  ds[dim] = 0;
  const int64_t* pi = index.data_ptr<int64_t>();
  dispatch_all(dst.dtype(), "scatter", [&]<typename T>() {
    T* pd = dst.data_ptr<T>();
    const T* ps = src.data_ptr<T>();
    for_each_serial<3>(index.shape(), {&ds, &src.strides(), &index.strides()}, [&](cpu::Offsets<3> off) {
      T& slot = pd[off[0] + pi[off[2]] * step];
      if (accumulate) slot = static_cast<T>(slot + ps[off[1]]);
      else slot = ps[off[1]];
    });
  });
}

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
  DGM_DISPATCH_CUDA(x, cuda::index_select(x, dim, index));
  Shape s = x.shape();
  s[dim] = index.numel();
  return gather(x, dim, expand_index(index, s, dim));
}

void index_add_(const Tensor& dst, int64_t dim, const Tensor& index, const Tensor& src) {
  DGM_DISPATCH_CUDA(dst, cuda::index_add_(dst, dim, index, src));
  scatter_(dst, dim, expand_index(index, src.shape(), dim), src, /*accumulate=*/true);
}

}  // namespace dgm::kernels
