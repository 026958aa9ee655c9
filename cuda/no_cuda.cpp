// The CUDA backend of a build without CUDA: cuda.h's API says no GPU is
// there, and every kernel of the backend interface (tensor/backend/backend.h)
// throws. The kernels cannot be reached in practice: no CUDA tensor can be
// made, since allocate() refuses, and the front doors send CPU tensors to the CPU.
#include "cuda/cuda.h"
#include "tensor/backend/backend.h"

namespace dgm::cuda {

bool is_available() { return false; }
bool is_built() { return false; }
int device_count() { return 0; }
std::string unavailable_reason() { return "dgm was built without CUDA (DGM_CUDA=OFF or nvcc/cuBLAS/cuDNN not found)"; }
std::string device_name() { return ""; }
void synchronize() {}
MemoryStats memory_stats() { return {}; }
void empty_cache() {}
void reset_peak_memory_stats() {}

namespace {
[[noreturn]] void not_built(const char* op) { DGM_FAIL(op, ": dgm was built without CUDA, got a tensor on cuda:0"); }
}  // namespace

void* allocate(size_t nbytes, int device_index) {
  DGM_FAIL("Storage: cannot allocate ", nbytes, " bytes on cuda:", device_index, ": dgm was built without CUDA");
}
void deallocate(void*, size_t) {}
void memcpy_to_device(void*, const void*, size_t) { not_built("memcpy_to_device"); }
void memcpy_to_host(void*, const void*, size_t) { not_built("memcpy_to_host"); }

void sample(const Tensor&, const random_math::Rand&, uint64_t, uint64_t) { not_built("rand"); }
void sample(const Tensor&, const random_math::Uniform&, uint64_t, uint64_t) { not_built("uniform"); }
void sample(const Tensor&, const random_math::Normal&, uint64_t, uint64_t) { not_built("randn"); }
void sample(const Tensor&, const random_math::Randint&, uint64_t, uint64_t) { not_built("randint"); }
void sample(const Tensor&, const random_math::Bernoulli&, uint64_t, uint64_t) { not_built("bernoulli"); }
void sample_bernoulli(const Tensor&, const Tensor&, uint64_t, uint64_t) { not_built("bernoulli"); }
void check_probabilities(const Tensor&) { not_built("bernoulli"); }

// ---- the kernels of tensor/backend/ops.inc ----
void unary(kernels::Unary, const Tensor&, const Tensor&, double, double) { not_built("unary"); }
void binary(kernels::Binary, const Tensor&, const Tensor&, const Tensor&) { not_built("binary"); }
void where(const Tensor&, const Tensor&, const Tensor&, const Tensor&) { not_built("where"); }
void clamp(const Tensor&, const Tensor&, std::optional<double>, std::optional<double>) { not_built("clamp"); }
void copy(const Tensor&, const Tensor&) { not_built("copy"); }
void fill(const Tensor&, double) { not_built("fill"); }
std::optional<int64_t> first_out_of_range(const Tensor&, int64_t, int64_t) { not_built("check_index_range"); }
void gather(const Tensor&, const Tensor&, int64_t, const Tensor&) { not_built("gather"); }
void scatter_(const Tensor&, int64_t, const Tensor&, const Tensor&, bool) { not_built("scatter"); }
void reduce(kernels::Reduce, const Tensor&, const Tensor&, const std::vector<int64_t>&) { not_built("reduce"); }
void arg_reduce(kernels::ArgReduce, const Tensor&, const Tensor&, const Tensor&, int64_t) { not_built("arg_reduce"); }
void scan(kernels::Scan, const Tensor&, const Tensor&, int64_t, bool) { not_built("scan"); }
void softmax(const Tensor&, const Tensor&, int64_t, int64_t, int64_t, bool) { not_built("softmax"); }
void attention_forward(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&, bool,
                       double) {
  not_built("attention_forward");
}
void attention_backward(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&,
                        const Tensor&, const Tensor&, const Tensor&, const Tensor&, bool, double) {
  not_built("attention_backward");
}
void adam_step_(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const kernels::AdamStep&) {
  not_built("adam_step_");
}
void matmul(const Tensor&, const Tensor&, const Tensor&) { not_built("matmul"); }
void solve_triangular_(const Tensor&, const Tensor&, bool, bool) { not_built("solve_triangular"); }
void cholesky_(const Tensor&) { not_built("cholesky"); }
void inverse_(const Tensor&) { not_built("inv"); }
void solve_(const Tensor&, const Tensor&) { not_built("solve"); }
void slogdet(const Tensor&, const Tensor&, const Tensor&) { not_built("slogdet"); }
void eigh_(const Tensor&, const Tensor&) { not_built("eigh"); }
void conv2d(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const kernels::Conv2dGeometry&) {
  not_built("conv2d");
}
void conv2d_input_grad(const Tensor&, const Tensor&, const Tensor&, const kernels::Conv2dGeometry&) {
  not_built("conv2d_input_grad");
}
void conv2d_weight_grad(const Tensor&, const Tensor&, const Tensor&, const kernels::Conv2dGeometry&) {
  not_built("conv2d_weight_grad");
}
void max_pool2d(const Tensor&, const Tensor&, const Tensor&, const kernels::Pool2dGeometry&) {
  not_built("max_pool2d");
}
void max_pool2d_scatter(const Tensor&, const Tensor&, const Tensor&, const kernels::Pool2dGeometry&) {
  not_built("max_pool2d_backward");
}
void max_pool2d_gather(const Tensor&, const Tensor&, const Tensor&, const kernels::Pool2dGeometry&) {
  not_built("max_pool2d_gather");
}
void avg_pool2d(const Tensor&, const Tensor&, const kernels::Pool2dGeometry&) { not_built("avg_pool2d"); }
void avg_pool2d_backward(const Tensor&, const Tensor&, const kernels::Pool2dGeometry&) {
  not_built("avg_pool2d_backward");
}
void upsample2d(const Tensor&, const Tensor&, const kernels::Interp1d&, const kernels::Interp1d&) {
  not_built("upsample2d");
}
void upsample2d_backward(const Tensor&, const Tensor&, const kernels::Interp1d&, const kernels::Interp1d&) {
  not_built("upsample2d_backward");
}

}  // namespace dgm::cuda
