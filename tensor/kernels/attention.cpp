// The fused attention's front door: the operands' checks, the outputs, then
// the backend's kernel (tensor/cpu/attention.cpp or cuda/attention.cu).
#include "tensor/kernels/attention.h"

#include "tensor/backend/dispatch.h"
#include "tensor/kernels/checks.h"

namespace dgm::kernels {
namespace {

void check_operand(const char* op, const char* name, const Tensor& t, const Tensor& q) {
  DGM_CHECK(t.defined(), op, " kernel: ", name, " is undefined");
  DGM_CHECK(t.dtype() == kFloat32 || t.dtype() == kFloat64, op, " kernel: expected a float32 or float64 ", name,
            ", got ", dtype_name(t.dtype()));
  DGM_CHECK(t.dtype() == q.dtype(), op, " kernel: ", name, " is ", dtype_name(t.dtype()), " but query is ",
            dtype_name(q.dtype()));
  DGM_CHECK(t.is_contiguous(), op, " kernel: expected a contiguous ", name, ", got shape ", shape_str(t.shape()),
            " with strides ", shape_str(t.strides()));
}

Shape batch_of(const Tensor& t) { return Shape(t.shape().begin(), t.shape().end() - 2); }

Shape with_last(const Tensor& t, std::initializer_list<int64_t> last) {
  Shape s = batch_of(t);
  s.insert(s.end(), last);
  return s;
}

// q (..., L, E), k (..., S, E), v (..., S, Ev), mask (L, S) or undefined.
void check_operands(const char* op, const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask) {
  backend::one_device(op, {&q, &k, &v, &mask}, {"query", "key", "value", "mask"});
  check_operand(op, "query", q, q);
  check_operand(op, "key", k, q);
  check_operand(op, "value", v, q);
  DGM_CHECK(q.dim() >= 2 && k.dim() == q.dim() && v.dim() == q.dim() && batch_of(k) == batch_of(q) &&
                batch_of(v) == batch_of(q) && k.size(-1) == q.size(-1) && v.size(-2) == k.size(-2),
            op, " kernel: shapes query ", shape_str(q.shape()), ", key ", shape_str(k.shape()), ", value ",
            shape_str(v.shape()), " do not fit (query (..., L, E), key (..., S, E), value (..., S, Ev))");
  DGM_CHECK(q.size(-2) > 0 && q.size(-1) > 0 && k.size(-2) > 0 && v.size(-1) > 0, op,
            " kernel: L, S, E and Ev must be positive, got query ", shape_str(q.shape()), ", key ",
            shape_str(k.shape()), ", value ", shape_str(v.shape()));
  if (mask.defined()) {
    check_operand(op, "mask", mask, q);
    check_shape(op, "mask", mask, {q.size(-2), k.size(-2)});
  }
}

}  // namespace

bool attention_fits(const Tensor& q, const Tensor& v) {
  if (!q.is_cuda()) return true;
  const int64_t heads = q.size(-2) * q.size(-1) > 0 ? q.numel() / (q.size(-2) * q.size(-1)) : 0;
  const int64_t row_bytes = (q.size(-1) + v.size(-1) + 2) * static_cast<int64_t>(element_size(q.dtype()));
  return heads <= kCudaMaxHeads && kCudaTile * row_bytes <= kCudaSharedBytes;
}

AttentionForward attention_forward(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask, bool causal,
                                   double scale) {
  const char* op = "attention_forward";
  check_operands(op, q, k, v, mask);
  AttentionForward f{empty(with_last(q, {q.size(-2), v.size(-1)}), q.dtype(), q.device()),
                     empty(with_last(q, {q.size(-2)}), q.dtype(), q.device())};
  DGM_BACKEND(q.device(), attention_forward(f.out, f.lse, q, k, v, mask, causal, scale));
  return f;
}

AttentionBackward attention_backward(const Tensor& g, const Tensor& q, const Tensor& k, const Tensor& v,
                                     const Tensor& out, const Tensor& lse, const Tensor& mask, bool causal,
                                     double scale) {
  const char* op = "attention_backward";
  check_operands(op, q, k, v, mask);
  backend::one_device(op, {&g, &q, &out, &lse}, {"grad_output", "query", "out", "lse"});
  const Shape out_shape = with_last(q, {q.size(-2), v.size(-1)});
  check_operand(op, "grad_output", g, q);
  check_shape(op, "grad_output", g, out_shape);
  check_operand(op, "out", out, q);
  check_shape(op, "out", out, out_shape);
  check_operand(op, "lse", lse, q);
  check_shape(op, "lse", lse, with_last(q, {q.size(-2)}));
  AttentionBackward b{empty(q.shape(), q.dtype(), q.device()), empty(k.shape(), q.dtype(), q.device()),
                      empty(v.shape(), q.dtype(), q.device())};
  DGM_BACKEND(q.device(), attention_backward(b.dq, b.dk, b.dv, g, q, k, v, out, lse, mask, causal, scale));
  return b;
}

}  // namespace dgm::kernels
