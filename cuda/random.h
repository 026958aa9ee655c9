// The GPU side of the element-wise samplers of tensor/random.cpp. Each fills
// a contiguous CUDA tensor `out` with out[i] = sampler<T>(seed, offset, i),
// T out's C++ type, the sampler being the same DGM_HD function object the CPU
// loop calls (tensor/random_math.h): randn on the GPU is randn on the CPU,
// bit for bit. The caller claims the counters (Generator::reserve) first.
// Included by tensor/random.cpp only when DGM_WITH_CUDA.
#pragma once
#include <cstdint>

#include "tensor/random_math.h"
#include "tensor/tensor.h"

namespace dgm::cuda {

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

}  // namespace dgm::cuda
