// Sampling on the GPU. Element i of a draw is a pure function of (seed,
// offset + i) (Philox is counter-based), so one thread per element computes
// exactly what the CPU loop computes for that element: the samplers are the
// DGM_HD function objects of tensor/random_math.h, called by both.
#include "cuda/elementwise.cuh"  // DGM_GRID_STRIDE
#include "cuda/index_search.cuh"
#include "cuda/runtime.h"
#include "tensor/backend/backend.h"

namespace dgm::cuda {
namespace {

// out[i] = f<T>(seed, offset, i)
template <typename T, typename F>
__global__ void sample_kernel(int64_t n, T* out, uint64_t seed, uint64_t offset, F f) {
  DGM_GRID_STRIDE(i, n) out[i] = f.template operator()<T>(seed, offset, static_cast<uint64_t>(i));
}

template <typename T, typename F>
void sample_typed(const char* op, const Tensor& out, uint64_t seed, uint64_t offset, const F& f) {
  const int64_t n = out.numel();
  if (n == 0) return;
  sample_kernel<T, F><<<grid_for(n), kBlock, 0, stream()>>>(n, static_cast<T*>(out.raw_data()), seed, offset, f);
  check_launch(op);
}

template <typename F>
void sample_any(const char* op, const Tensor& out, uint64_t seed, uint64_t offset, const F& f) {
  dispatch_all(out.dtype(), op, [&]<typename T>() { sample_typed<T>(op, out, seed, offset, f); });
}

// out[i] = 1 with probability p[i]
template <typename T>
__global__ void bernoulli_tensor_kernel(int64_t n, T* out, const T* p, StridedOffsets<1> so, uint64_t seed,
                                        uint64_t offset) {
  DGM_GRID_STRIDE(i, n) {
    int64_t off[1];
    so.offsets(i, off);
    out[i] = random_math::bernoulli_at<T>(static_cast<double>(p[off[0]]), seed, offset, static_cast<uint64_t>(i));
  }
}

template <typename T>
void bernoulli_tensor_typed(const Tensor& out, const Tensor& p, uint64_t seed, uint64_t offset) {
  const int64_t n = out.numel();
  if (n == 0) return;
  StridedOffsets<1> so = make_offsets<1>("bernoulli", p.shape(), {&p.strides()});
  bernoulli_tensor_kernel<T><<<grid_for(n), kBlock, 0, stream()>>>(
      n, static_cast<T*>(out.raw_data()), static_cast<const T*>(p.raw_data()), so, seed, offset);
  check_launch("bernoulli");
}

template <typename T>
void check_probabilities_typed(const Tensor& p) {
  const int64_t first = first_where<T>("bernoulli", p, [] __device__(T v) { return !(v >= 0 && v <= 1); });
  if (first < 0) return;
  const double v = static_cast<double>(element_at<T>(p, first));
  DGM_FAIL("bernoulli: probabilities must be in [0, 1], got ", v, " in a tensor of shape ", shape_str(p.shape()));
}

}  // namespace

void sample(const Tensor& out, const random_math::Rand& f, uint64_t seed, uint64_t offset) {
  sample_any("rand", out, seed, offset, f);
}
void sample(const Tensor& out, const random_math::Uniform& f, uint64_t seed, uint64_t offset) {
  sample_any("uniform", out, seed, offset, f);
}
void sample(const Tensor& out, const random_math::Normal& f, uint64_t seed, uint64_t offset) {
  sample_any("normal", out, seed, offset, f);
}
void sample(const Tensor& out, const random_math::Randint& f, uint64_t seed, uint64_t offset) {
  sample_any("randint", out, seed, offset, f);
}
void sample(const Tensor& out, const random_math::Bernoulli& f, uint64_t seed, uint64_t offset) {
  sample_any("bernoulli", out, seed, offset, f);
}

void sample_bernoulli(const Tensor& out, const Tensor& p, uint64_t seed, uint64_t offset) {
  dispatch_floating(p.dtype(), "bernoulli", [&]<typename T>() { bernoulli_tensor_typed<T>(out, p, seed, offset); });
}

void check_probabilities(const Tensor& p) {
  dispatch_floating(p.dtype(), "bernoulli", [&]<typename T>() { check_probabilities_typed<T>(p); });
}

}  // namespace dgm::cuda
