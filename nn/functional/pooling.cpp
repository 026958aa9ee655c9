// Pooling ops and their derivatives. Both pools are pairs of linear maps in g:
//   max_pool2d:  y = gather(x, idx)        dx = scatter(g, idx)
//     where gather(x, idx)[o] = x[idx[o]] and scatter(g, idx)[i] = sum_{o: idx[o]=i} g[o]
//     are each other's transposes (idx is piecewise constant in x: no gradient).
//   avg_pool2d:  y = A x                   dx = A^T g
// so each backward op's own backward is the forward map again, and
// grad-of-grad is exact.
#include "nn/functional/pooling.h"

#include "autograd/node.h"
#include "tensor/kernels/conv.h"

namespace dgm::nn::functional {

using autograd::record;
using kernels::Pool2dGeometry;

namespace {

Tensor max_scatter(const Tensor& g, const Tensor& idx, const Pool2dGeometry& geo);

// u = gather(h, idx):  dh = scatter(g, idx)
Tensor max_gather(const Tensor& h_, const Tensor& idx, const Pool2dGeometry& geo) {
  Tensor h = h_.contiguous();
  return record("max_pool2d_gather", kernels::max_pool2d_gather(h, idx, geo), {h},
                [idx = idx, geo](const Tensor& g) { return std::vector{max_scatter(g, idx, geo)}; });
}

// z = scatter(g, idx):  dg = gather(h, idx)
Tensor max_scatter(const Tensor& g_, const Tensor& idx, const Pool2dGeometry& geo) {
  Tensor g = g_.contiguous();
  return record("max_pool2d_backward", kernels::max_pool2d_scatter(g, idx, geo), {g},
                [idx, geo](const Tensor& h) { return std::vector{max_gather(h, idx, geo)}; });
}

Tensor avg_backward(const Tensor& g, const Pool2dGeometry& geo);

// y = A x:  dx = A^T g
Tensor avg_forward(const Tensor& x_, const Pool2dGeometry& geo) {
  Tensor x = x_.contiguous();
  return record("avg_pool2d", kernels::avg_pool2d(x, geo), {x},
                [geo](const Tensor& g) { return std::vector{avg_backward(g, geo)}; });
}

// z = A^T g:  dg = A h
Tensor avg_backward(const Tensor& g_, const Pool2dGeometry& geo) {
  Tensor g = g_.contiguous();
  return record("avg_pool2d_backward", kernels::avg_pool2d_backward(g, geo), {g},
                [geo](const Tensor& h) { return std::vector{avg_forward(h, geo)}; });
}

// Output size along one axis (PyTorch's pooling_output_shape).
int64_t pool_out_size(int64_t in, int64_t k, int64_t s, int64_t p, bool ceil_mode) {
  int64_t out = (in + 2 * p - k + (ceil_mode ? s - 1 : 0)) / s + 1;
  if (ceil_mode && (out - 1) * s >= in + p) --out;  // the last window must start inside the input or left padding
  return out;
}

Pool2dGeometry pool_geometry(const char* op, const Tensor& x, Int2 kernel, std::optional<Int2> stride_, Int2 padding,
                             bool ceil_mode) {
  Int2 stride = stride_.value_or(kernel);
  DGM_CHECK(x.is_floating_point(), op, ": expected a floating point input, got ", dtype_name(x.dtype()));
  DGM_CHECK(kernel.h > 0 && kernel.w > 0, op, ": kernel_size must be positive, got (", kernel.h, ",", kernel.w, ")");
  DGM_CHECK(stride.h > 0 && stride.w > 0, op, ": stride must be positive, got (", stride.h, ",", stride.w, ")");
  DGM_CHECK(padding.h >= 0 && padding.w >= 0 && 2 * padding.h <= kernel.h && 2 * padding.w <= kernel.w, op,
            ": padding (", padding.h, ",", padding.w, ") must be non-negative and at most half the kernel size (",
            kernel.h, ",", kernel.w, ")");
  Pool2dGeometry g;
  g.N = x.size(0), g.C = x.size(1), g.H = x.size(2), g.W = x.size(3);
  g.kH = kernel.h, g.kW = kernel.w, g.sH = stride.h, g.sW = stride.w, g.pH = padding.h, g.pW = padding.w;
  DGM_CHECK(g.H + 2 * g.pH >= g.kH && g.W + 2 * g.pW >= g.kW, op, ": kernel size (", g.kH, ",", g.kW,
            ") is larger than the padded input (", g.H + 2 * g.pH, ",", g.W + 2 * g.pW, ") of input shape ",
            shape_str(x.shape()));
  g.Ho = pool_out_size(g.H, g.kH, g.sH, g.pH, ceil_mode);
  g.Wo = pool_out_size(g.W, g.kW, g.sW, g.pW, ceil_mode);
  return g;
}

// Runs f on a batched view of an unbatched (C,H,W) input.
template <typename F>
auto batched(const char* op, const Tensor& x, F f) {
  DGM_CHECK(x.defined() && (x.dim() == 3 || x.dim() == 4), op, ": expected input of shape (N,C,H,W) or (C,H,W), got ",
            x.defined() ? shape_str(x.shape()) : "an undefined tensor");
  return f(x.dim() == 3 ? x.unsqueeze(0) : x, x.dim() == 3);
}

}  // namespace

std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, Int2 kernel_size, std::optional<Int2> stride,
                                                   Int2 padding, bool ceil_mode) {
  const char* op = "max_pool2d";
  return batched(op, input, [&](const Tensor& x_, bool unbatched) {
    Pool2dGeometry geo = pool_geometry(op, x_, kernel_size, stride, padding, ceil_mode);
    Tensor x = x_.contiguous();
    auto [values, idx] = kernels::max_pool2d(x, geo);
    // y = gather(x, idx):  dx = scatter(g, idx)
    Tensor y = autograd::also_reads(
        record(
            op, values, {x}, [idx = idx, geo](const Tensor& g) { return std::vector{max_scatter(g, idx, geo)}; },
            autograd::Saves::Nothing),
        "indices", idx);
    return unbatched ? std::tuple{y.squeeze(0), idx.squeeze(0)} : std::tuple{y, idx};
  });
}

Tensor max_pool2d(const Tensor& input, Int2 kernel_size, std::optional<Int2> stride, Int2 padding, bool ceil_mode) {
  return std::get<0>(max_pool2d_with_indices(input, kernel_size, stride, padding, ceil_mode));
}

Tensor avg_pool2d(const Tensor& input, Int2 kernel_size, std::optional<Int2> stride, Int2 padding, bool ceil_mode,
                  bool count_include_pad) {
  const char* op = "avg_pool2d";
  return batched(op, input, [&](const Tensor& x, bool unbatched) {
    Pool2dGeometry geo = pool_geometry(op, x, kernel_size, stride, padding, ceil_mode);
    geo.count_include_pad = count_include_pad;
    Tensor y = avg_forward(x, geo);
    return unbatched ? y.squeeze(0) : y;
  });
}

}  // namespace dgm::nn::functional
