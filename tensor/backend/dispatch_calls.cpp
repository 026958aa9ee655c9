// Backend's members (tensor/backend/dispatch.h): each kernel call named for
// the profiler (tensor/profiler.h) with its operands, then run on the CUDA
// backend for a CUDA device and on the CPU's otherwise.
#include "tensor/backend/dispatch.h"
#include "tensor/profiler.h"

namespace dgm::backend {
namespace {

// What a copy does: between devices, between dtypes, into a strided view,
// gathering a strided view into dense memory (contiguous()), or dense to dense.
const char* copy_name(const Tensor& dst, const Tensor& src) {
  if (dst.device() != src.device()) return dst.is_cuda() ? "to_cuda" : "to_cpu";
  if (dst.dtype() != src.dtype()) return "to_dtype";
  if (!dst.is_contiguous()) return "copy_into_view";
  return src.is_contiguous() ? "copy" : "contiguous";
}

}  // namespace

#define DGM_ON_DEVICE(call) (device.is_cuda() ? ::dgm::cuda::call : ::dgm::cpu::call)

// ---- elementwise ----
void Backend::unary(kernels::Unary op, const Tensor& out, const Tensor& x, double param0, double param1) {
  profiler::OpScope scope(kernels::op_name(op), device, {&out, &x});
  DGM_ON_DEVICE(unary(op, out, x, param0, param1));
}

void Backend::binary(kernels::Binary op, const Tensor& out, const Tensor& a, const Tensor& b) {
  profiler::OpScope scope(kernels::op_name(op), device, {&out, &a, &b});
  DGM_ON_DEVICE(binary(op, out, a, b));
}

void Backend::where(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  profiler::OpScope scope("where", device, {&out, &cond, &a, &b});
  DGM_ON_DEVICE(where(out, cond, a, b));
}

void Backend::clamp(const Tensor& out, const Tensor& x, std::optional<double> min, std::optional<double> max) {
  profiler::OpScope scope("clamp", device, {&out, &x});
  DGM_ON_DEVICE(clamp(out, x, min, max));
}

void Backend::copy(const Tensor& dst, const Tensor& src) {
  profiler::OpScope scope(copy_name(dst, src), device, {&dst, &src});
  DGM_ON_DEVICE(copy(dst, src));
}

void Backend::fill(const Tensor& dst, double value) {
  profiler::OpScope scope("fill", device, {&dst});
  DGM_ON_DEVICE(fill(dst, value));
}

// ---- index ----
std::optional<int64_t> Backend::first_out_of_range(const Tensor& index, int64_t lo, int64_t hi) {
  profiler::OpScope scope("index_range_check", device, {&index});
  return DGM_ON_DEVICE(first_out_of_range(index, lo, hi));
}

void Backend::gather(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index) {
  profiler::OpScope scope("gather", device, {&out, &x, &index});
  DGM_ON_DEVICE(gather(out, x, dim, index));
}

void Backend::scatter_(const Tensor& dst, int64_t dim, const Tensor& index, const Tensor& src, bool accumulate) {
  profiler::OpScope scope(accumulate ? "scatter_add_" : "scatter_", device, {&dst, &index, &src});
  DGM_ON_DEVICE(scatter_(dst, dim, index, src, accumulate));
}

// ---- reductions ----
void Backend::reduce(kernels::Reduce op, const Tensor& out, const Tensor& x, const std::vector<int64_t>& dims) {
  profiler::OpScope scope(kernels::op_name(op), device, {&out, &x});
  DGM_ON_DEVICE(reduce(op, out, x, dims));
}

void Backend::arg_reduce(kernels::ArgReduce op, const Tensor& values, const Tensor& indices, const Tensor& x,
                         int64_t dim) {
  profiler::OpScope scope(kernels::op_name(op), device, {&values, &indices, &x});
  DGM_ON_DEVICE(arg_reduce(op, values, indices, x, dim));
}

void Backend::scan(kernels::Scan op, const Tensor& out, const Tensor& x, int64_t dim, bool reverse) {
  profiler::OpScope scope(kernels::op_name(op), device, {&out, &x});
  DGM_ON_DEVICE(scan(op, out, x, dim, reverse));
}

void Backend::softmax(const Tensor& y, const Tensor& x, int64_t outer, int64_t n, int64_t inner, bool log) {
  profiler::OpScope scope(log ? "log_softmax" : "softmax", device, {&y, &x});
  DGM_ON_DEVICE(softmax(y, x, outer, n, inner, log));
}

// ---- optimizer ----
void Backend::adam_step_(const Tensor& p, const Tensor& g, const Tensor& m, const Tensor& v,
                         const kernels::AdamStep& s) {
  profiler::OpScope scope("adam_step_", device, {&p, &g, &m, &v});
  DGM_ON_DEVICE(adam_step_(p, g, m, v, s));
}

// ---- linear algebra ----
void Backend::matmul(const Tensor& out, const Tensor& a, const Tensor& b) {
  profiler::OpScope scope("matmul", device, {&out, &a, &b});
  DGM_ON_DEVICE(matmul(out, a, b));
}

void Backend::solve_triangular_(const Tensor& x, const Tensor& a, bool upper, bool unitriangular) {
  profiler::OpScope scope("solve_triangular", device, {&x, &a});
  DGM_ON_DEVICE(solve_triangular_(x, a, upper, unitriangular));
}

void Backend::cholesky_(const Tensor& a) {
  profiler::OpScope scope("cholesky", device, {&a});
  DGM_ON_DEVICE(cholesky_(a));
}

void Backend::inverse_(const Tensor& a) {
  profiler::OpScope scope("inverse", device, {&a});
  DGM_ON_DEVICE(inverse_(a));
}

void Backend::solve_(const Tensor& lu, const Tensor& xt) {
  profiler::OpScope scope("solve", device, {&lu, &xt});
  DGM_ON_DEVICE(solve_(lu, xt));
}

void Backend::slogdet(const Tensor& sign, const Tensor& logabs, const Tensor& lu) {
  profiler::OpScope scope("slogdet", device, {&sign, &logabs, &lu});
  DGM_ON_DEVICE(slogdet(sign, logabs, lu));
}

void Backend::eigh_(const Tensor& w, const Tensor& vt) {
  profiler::OpScope scope("eigh", device, {&w, &vt});
  DGM_ON_DEVICE(eigh_(w, vt));
}

// ---- spatial ----
void Backend::conv2d(const Tensor& y, const Tensor& x, const Tensor& w, const Tensor& bias,
                     const kernels::Conv2dGeometry& geo) {
  profiler::OpScope scope("conv2d", device, {&y, &x, &w, &bias});
  DGM_ON_DEVICE(conv2d(y, x, w, bias, geo));
}

void Backend::conv2d_input_grad(const Tensor& dx, const Tensor& gy, const Tensor& w,
                                const kernels::Conv2dGeometry& geo) {
  profiler::OpScope scope("conv2d_input_grad", device, {&dx, &gy, &w});
  DGM_ON_DEVICE(conv2d_input_grad(dx, gy, w, geo));
}

void Backend::conv2d_weight_grad(const Tensor& dw, const Tensor& x, const Tensor& gy,
                                 const kernels::Conv2dGeometry& geo) {
  profiler::OpScope scope("conv2d_weight_grad", device, {&dw, &x, &gy});
  DGM_ON_DEVICE(conv2d_weight_grad(dw, x, gy, geo));
}

void Backend::max_pool2d(const Tensor& y, const Tensor& indices, const Tensor& x, const kernels::Pool2dGeometry& geo) {
  profiler::OpScope scope("max_pool2d", device, {&y, &indices, &x});
  DGM_ON_DEVICE(max_pool2d(y, indices, x, geo));
}

void Backend::max_pool2d_scatter(const Tensor& dx, const Tensor& g, const Tensor& indices,
                                 const kernels::Pool2dGeometry& geo) {
  profiler::OpScope scope("max_pool2d_backward", device, {&dx, &g, &indices});
  DGM_ON_DEVICE(max_pool2d_scatter(dx, g, indices, geo));
}

void Backend::max_pool2d_gather(const Tensor& out, const Tensor& h, const Tensor& indices,
                                const kernels::Pool2dGeometry& geo) {
  profiler::OpScope scope("max_pool2d_gather", device, {&out, &h, &indices});
  DGM_ON_DEVICE(max_pool2d_gather(out, h, indices, geo));
}

void Backend::avg_pool2d(const Tensor& y, const Tensor& x, const kernels::Pool2dGeometry& geo) {
  profiler::OpScope scope("avg_pool2d", device, {&y, &x});
  DGM_ON_DEVICE(avg_pool2d(y, x, geo));
}

void Backend::avg_pool2d_backward(const Tensor& dx, const Tensor& g, const kernels::Pool2dGeometry& geo) {
  profiler::OpScope scope("avg_pool2d_backward", device, {&dx, &g});
  DGM_ON_DEVICE(avg_pool2d_backward(dx, g, geo));
}

void Backend::upsample2d(const Tensor& y, const Tensor& x, const kernels::Interp1d& rows,
                         const kernels::Interp1d& cols) {
  profiler::OpScope scope("upsample2d", device, {&y, &x});
  DGM_ON_DEVICE(upsample2d(y, x, rows, cols));
}

void Backend::upsample2d_backward(const Tensor& dx, const Tensor& g, const kernels::Interp1d& rows,
                                  const kernels::Interp1d& cols) {
  profiler::OpScope scope("upsample2d_backward", device, {&dx, &g});
  DGM_ON_DEVICE(upsample2d_backward(dx, g, rows, cols));
}

void Backend::attention_forward(const Tensor& out, const Tensor& lse, const Tensor& q, const Tensor& k, const Tensor& v,
                                const Tensor& mask, bool causal, double scale) {
  profiler::OpScope scope("attention", device, {&out, &lse, &q, &k, &v, &mask});
  DGM_ON_DEVICE(attention_forward(out, lse, q, k, v, mask, causal, scale));
}

void Backend::attention_backward(const Tensor& dq, const Tensor& dk, const Tensor& dv, const Tensor& g, const Tensor& q,
                                 const Tensor& k, const Tensor& v, const Tensor& out, const Tensor& lse,
                                 const Tensor& mask, bool causal, double scale) {
  profiler::OpScope scope("attention_backward", device, {&dq, &dk, &dv, &g, &q, &k, &v, &out, &lse, &mask});
  DGM_ON_DEVICE(attention_backward(dq, dk, dv, g, q, k, v, out, lse, mask, causal, scale));
}

#undef DGM_ON_DEVICE

}  // namespace dgm::backend
