// The backend interface: what tensor/ asks of a device. tensor/backend/ops.inc
// lists the kernels; this header declares them twice, as dgm::cpu::op
// (implemented in tensor/cpu/) and dgm::cuda::op (implemented in cuda/, or by
// cuda/no_cuda.cpp with an error when dgm is built without CUDA), so the two
// backends cannot drift apart. The kernel entry points of tensor/kernels/
// check their operands once and call one backend through DGM_BACKEND
// (tensor/backend/dispatch.h).
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "tensor/kernels/conv.h"
#include "tensor/kernels/elementwise.h"
#include "tensor/kernels/group_norm.h"
#include "tensor/kernels/layer_norm.h"
#include "tensor/kernels/optim.h"
#include "tensor/kernels/reduce.h"
#include "tensor/random_math.h"
#include "tensor/tensor.h"

namespace dgm::cpu {
#include "tensor/backend/ops.inc"

// ---- CPU only (tensor/cpu/layer_norm.cpp): the fused layer norm; on the GPU
// nn/functional/ runs the composite. Contiguous operands, statistics in double ----
// y = (x - mean) * rstd * weight + bias per row; mean, rstd (float64) written too
void layer_norm_forward(const Tensor& y, const Tensor& mean, const Tensor& rstd, const Tensor& x,
                        kernels::RowLayout rows, const Tensor& weight, const Tensor& bias, double eps);
// dx, and dweight / dbias (float64, (n)) where defined
void layer_norm_backward(const Tensor& dx, const Tensor& dweight, const Tensor& dbias, const Tensor& g, const Tensor& x,
                         kernels::RowLayout rows, const Tensor& mean, const Tensor& rstd, const Tensor& weight);

// ---- CPU only (tensor/cpu/group_norm.cpp): the fused group norm; on the GPU nn/functional/ runs the composite.
// Contiguous operands, statistics in double ----
// y = (x - mean) * rstd * weight[c] + bias[c] per (sample, group) row; mean, rstd (float64, (N * G)) written too
void group_norm_forward(const Tensor& y, const Tensor& mean, const Tensor& rstd, const Tensor& x,
                        kernels::GroupNormShape shape, const Tensor& weight, const Tensor& bias, double eps);
// dx, and dweight / dbias (float64, (C)) where defined
void group_norm_backward(const Tensor& dx, const Tensor& dweight, const Tensor& dbias, const Tensor& g, const Tensor& x,
                         kernels::GroupNormShape shape, const Tensor& mean, const Tensor& rstd, const Tensor& weight);

// ---- CPU only (tensor/cpu/elu.cpp): the fused ELU gradient; on the GPU autograd/ops/ runs the composite ----
// dx = g if x > 0 else g alpha exp(x); contiguous
void elu_backward(const Tensor& dx, const Tensor& g, const Tensor& x, double alpha);

// ---- CPU only (tensor/cpu/silu.cpp): the fused SiLU; on the GPU autograd/ops/ runs the composite. Contiguous ----
// y = x sigmoid(x)
void silu_forward(const Tensor& y, const Tensor& x);
// dx = g s (1 + x (1 - s)), s = sigmoid(x)
void silu_backward(const Tensor& dx, const Tensor& g, const Tensor& x);
}  // namespace dgm::cpu

namespace dgm::cuda {
#include "tensor/backend/ops.inc"

// ---- memory (cuda/allocator.cu), for Storage and the host <-> device copies ----
// A block of nbytes from the caching allocator of cuda:<device_index>.
void* allocate(size_t nbytes, int device_index);
void deallocate(void* ptr, size_t nbytes);
// nbytes from host to device (device to host), synchronous with respect to the host
void memcpy_to_device(void* dst, const void* src, size_t nbytes);
void memcpy_to_host(void* dst, const void* src, size_t nbytes);

// ---- random (cuda/random.cu): the samplers of tensor/random.cpp on the GPU ----
// Each fills a contiguous CUDA tensor `out` with out[i] = sampler<T>(seed,
// offset, i), T out's C++ type, the sampler being the same DGM_HD function
// object the CPU loop calls (tensor/random_math.h): randn on the GPU is randn
// on the CPU, bit for bit. The caller claims the counters (Generator::reserve) first.
void sample(const Tensor& out, const random_math::Rand& f, uint64_t seed, uint64_t offset);
void sample(const Tensor& out, const random_math::Uniform& f, uint64_t seed, uint64_t offset);
void sample(const Tensor& out, const random_math::Normal& f, uint64_t seed, uint64_t offset);
void sample(const Tensor& out, const random_math::Randint& f, uint64_t seed, uint64_t offset);
void sample(const Tensor& out, const random_math::Bernoulli& f, uint64_t seed, uint64_t offset);
// out[i] = 1 with probability p[i] (p: float32 or float64, any strides, out's
// shape and dtype; i row-major).
void sample_bernoulli(const Tensor& out, const Tensor& p, uint64_t seed, uint64_t offset);
// Throws the CPU's "bernoulli: probabilities must be in [0, 1], got v ..." for
// the first p[i] (row-major) outside [0, 1] or NaN. Waits for the GPU.
void check_probabilities(const Tensor& p);

// ---- device (cuda/device.cu): waits for all work queued on the GPU; the profiler times CUDA ops with it ----
void synchronize();
}  // namespace dgm::cuda
