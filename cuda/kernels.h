// The CUDA kernels' entry points: one per CPU kernel of tensor/kernels/, with
// the same signature and meaning (read the comments there). The CPU entry
// points hand CUDA tensors over to these (tensor/kernels/dispatch.h), so the
// op front ends and autograd never see which device they run on.
//
// Which file implements what:
//   elementwise.cu  unary, binary, where, clamp, copy (device <-> device), fill
//   copy.cu         copy between host and device
//   reduce.cu       reduce, arg_reduce;  scan.cu  scan;  softmax.cu  softmax, log_softmax
//   optim.cu        the fused Adam update
//   index.cu        check_index_range, gather, scatter_, index_select, index_add_
//   blas.cu         matmul (cuBLAS);  linalg.cpp  the LAPACK ops (through the CPU)
//   conv.cu         conv2d and its adjoints (cuDNN)
//   pooling.cu, upsample.cu
#pragma once
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "tensor/kernels/conv.h"
#include "tensor/kernels/elementwise.h"
#include "tensor/kernels/optim.h"
#include "tensor/kernels/reduce.h"
#include "tensor/tensor.h"

namespace dgm::cuda {

// ---- elementwise.cu, copy.cu ----
Tensor unary(kernels::Unary op, const Tensor& x, double param0, double param1);
Tensor binary(kernels::Binary op, const Tensor& a, const Tensor& b);
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max);
void copy(const Tensor& dst, const Tensor& src);  // any pair of devices
void fill(const Tensor& dst, double value);

// ---- reduce.cu, scan.cu ----
Tensor reduce(kernels::Reduce op, const Tensor& x, const std::vector<int64_t>& dims, bool keepdim);
std::pair<Tensor, Tensor> arg_reduce(kernels::ArgReduce op, const Tensor& x, int64_t dim, bool keepdim);
Tensor scan(kernels::Scan op, const Tensor& x, int64_t dim, bool reverse);

// ---- optim.cu ----
void adam_step_(const Tensor& p, const Tensor& g, const Tensor& m, const Tensor& v, const kernels::AdamStep& s);

// ---- softmax.cu ----
Tensor softmax(const Tensor& x, int64_t dim, bool log);

// ---- index.cu ----
void check_index_range(const char* op, const Tensor& index, int64_t dim, int64_t size, bool allow_negative);
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index);
void scatter_(const Tensor& dst, int64_t dim, const Tensor& index, const Tensor& src, bool accumulate);
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);
void index_add_(const Tensor& dst, int64_t dim, const Tensor& index, const Tensor& src);

// ---- blas.cu, linalg.cpp ----
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor solve_triangular(const Tensor& a, const Tensor& b, bool upper, bool unitriangular);
Tensor cholesky(const Tensor& a);
Tensor inverse(const Tensor& a);
Tensor solve(const Tensor& a, const Tensor& b);
std::tuple<Tensor, Tensor> slogdet(const Tensor& a);
std::tuple<Tensor, Tensor> eigh(const Tensor& a);

// ---- conv.cu, pooling.cu, upsample.cu ----
Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, const kernels::Conv2dGeometry& geo);
Tensor conv2d_input_grad(const Tensor& gy, const Tensor& w, const kernels::Conv2dGeometry& geo);
Tensor conv2d_weight_grad(const Tensor& x, const Tensor& gy, const kernels::Conv2dGeometry& geo);
std::pair<Tensor, Tensor> max_pool2d(const Tensor& x, const kernels::Pool2dGeometry& geo);
Tensor max_pool2d_scatter(const Tensor& g, const Tensor& indices, const kernels::Pool2dGeometry& geo);
Tensor max_pool2d_gather(const Tensor& h, const Tensor& indices, const kernels::Pool2dGeometry& geo);
Tensor avg_pool2d(const Tensor& x, const kernels::Pool2dGeometry& geo);
Tensor avg_pool2d_backward(const Tensor& g, const kernels::Pool2dGeometry& geo);
Tensor upsample2d(const Tensor& x, const kernels::Interp1d& rows, const kernels::Interp1d& cols);
Tensor upsample2d_backward(const Tensor& g, const kernels::Interp1d& rows, const kernels::Interp1d& cols, int64_t H,
                           int64_t W);

// ---- allocator.cu (used by Storage) ----
void* allocate(size_t nbytes, int device_index);
void deallocate(void* ptr, size_t nbytes);
// host <-> device memcpy of nbytes (synchronous with respect to the host)
void memcpy_to_device(void* dst, const void* src, size_t nbytes);
void memcpy_to_host(void* dst, const void* src, size_t nbytes);

}  // namespace dgm::cuda
