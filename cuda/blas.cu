// CUDA matmul: cuBLAS for float32/float64 (through the one GEMM entry,
// cuda/gemm.cu, which explains the row-major/column-major swap), a plain
// kernel for int64. A matrix stored as the row-major layout of its transpose
// (strides (1, ld), e.g. x.mT() of a contiguous x) goes to cuBLAS as it is,
// transposed; other layouts (a step in the last dim, ...) are copied first.
//
// Batches: the front end has already broadcast the batch dims, a broadcast
// dim having stride 0. The trailing batch dims whose offsets are i * s for one
// stride s per operand (s may be 0: the matrix is reused, never copied) go to
// one cublas?gemmStridedBatched call; leading dims that do not fit that
// pattern (e.g. (2,1,3,4) @ (5,4,6) broadcast to a (2,5) batch: strides
// (12, 0) and (0, 24)) are looped over on the host, one call each.
//
// Precision: the handle uses CUBLAS_DEFAULT_MATH, so float32 GEMMs compute in
// float32 (no TF32 tensor-core rounding); see cuda/cublas_handle.h.
#include <string>

#include "cuda/cublas_handle.h"
#include "cuda/elementwise.cuh"
#include "cuda/runtime.h"
#include "tensor/backend/backend.h"
#include "tensor/kernels/matrix_layout.h"

namespace dgm::cuda {

namespace {

using kernels::blas_ready;  // tensor/kernels/matrix_layout.h: the layouts cuBLAS takes as they are
using kernels::Layout;

// The batch dims split in two: `outer` dims looped over on the host (each with
// its own offset in a and b), then `inner` matrices at a uniform stride (sa, sb).
struct BatchPlan {
  Shape outer_size, outer_sa, outer_sb;
  int64_t inner = 1, sa = 0, sb = 0;
};
BatchPlan plan_batch(const Tensor& a, const Tensor& b) {
  BatchPlan p;
  int64_t d = a.dim() - 3;
  bool started = false;
  for (; d >= 0; --d) {
    const int64_t size = a.size(d), ta = a.stride(d), tb = b.stride(d);
    if (size == 1) continue;
    if (!started) {
      if (ta < 0 || tb < 0) break;  // cuBLAS wants non-negative batch strides: loop instead
      p.sa = ta, p.sb = tb, p.inner = size, started = true;
    } else if (ta == p.sa * p.inner && tb == p.sb * p.inner) {
      p.inner *= size;
    } else {
      break;
    }
  }
  for (int64_t e = 0; e <= d; ++e) {
    if (a.size(e) == 1) continue;
    p.outer_size.push_back(a.size(e));
    p.outer_sa.push_back(a.stride(e));
    p.outer_sb.push_back(b.stride(e));
  }
  return p;
}

// out (..., n, m) = a (..., n, k) @ b (..., k, m) through cuBLAS; n, k, m > 0.
template <typename T>
void matmul_blas(Tensor a, Tensor b, const Tensor& out) {
  const int64_t n = a.size(-2), k = a.size(-1), m = b.size(-1);
  const Layout la = blas_ready(a), lb = blas_ready(b);
  const BatchPlan plan = plan_batch(a, b);
  const T* pa = static_cast<const T*>(a.raw_data());
  const T* pb = static_cast<const T*>(b.raw_data());
  T* pc = static_cast<T*>(out.raw_data());
  const int64_t outer = numel_of(plan.outer_size);
  const int64_t mat = n * m;  // elements of one output matrix
  const std::string detail = shape_str(a.shape()) + " @ " + shape_str(b.shape());
  for (int64_t o = 0; o < outer; ++o) {
    // offsets of outer batch element o (row-major digits of o)
    int64_t oa = 0, ob = 0, rest = o;
    for (int64_t d = static_cast<int64_t>(plan.outer_size.size()) - 1; d >= 0; --d) {
      const int64_t idx = rest % plan.outer_size[d];
      rest /= plan.outer_size[d];
      oa += idx * plan.outer_sa[d];
      ob += idx * plan.outer_sb[d];
    }
    gemm<T>("matmul", detail, la.trans, lb.trans, n, m, k, pa + oa, la.ld, plan.sa, pb + ob, lb.ld, plan.sb, T(0),
            pc + o * plan.inner * mat, m, mat, plan.inner);
  }
}

// c[t, i, j] = sum_p a[t, i, p] * b[t, p, j]: one thread per output element;
// `batch` turns the batch number t into the offsets of a[t] and b[t].
__global__ void matmul_int64_kernel(int64_t total, int64_t n, int64_t k, int64_t m, const int64_t* a, int64_t as0,
                                    int64_t as1, const int64_t* b, int64_t bs0, int64_t bs1, int64_t* c,
                                    StridedOffsets<2> batch) {
  DGM_GRID_STRIDE(e, total) {
    const int64_t j = e % m, row = e / m, i = row % n, t = row / n;
    int64_t off[2];
    batch.offsets(t, off);
    const int64_t* ai = a + off[0] + i * as0;
    const int64_t* bj = b + off[1] + j * bs1;
    int64_t acc = 0;
    for (int64_t p = 0; p < k; ++p) acc += ai[p * as1] * bj[p * bs0];
    c[e] = acc;
  }
}

void matmul_int64(const Tensor& a, const Tensor& b, const Tensor& out) {
  const int64_t n = a.size(-2), k = a.size(-1), m = b.size(-1), total = out.numel();
  const Shape batch(a.shape().begin(), a.shape().end() - 2);
  const Shape sa(a.strides().begin(), a.strides().end() - 2), sb(b.strides().begin(), b.strides().end() - 2);
  const StridedOffsets<2> so = make_offsets<2>("matmul", batch, {&sa, &sb});
  matmul_int64_kernel<<<grid_for(total), kBlock, 0, stream()>>>(
      total, n, k, m, static_cast<const int64_t*>(a.raw_data()), a.stride(-2), a.stride(-1),
      static_cast<const int64_t*>(b.raw_data()), b.stride(-2), b.stride(-1), static_cast<int64_t*>(out.raw_data()), so);
  check_launch("matmul");
}

}  // namespace

// out[t] = a[t] @ b[t] for every batch element t
void matmul(const Tensor& out, const Tensor& a, const Tensor& b) {
  switch (a.dtype()) {
    case kFloat32:
      matmul_blas<float>(a, b, out);
      break;
    case kFloat64:
      matmul_blas<double>(a, b, out);
      break;
    case kInt64:
      matmul_int64(a, b, out);
      break;
    default:
      DGM_FAIL("matmul: expected a numeric tensor, got ", dtype_name(a.dtype()));
  }
}

}  // namespace dgm::cuda
