// Sampling. Every function claims one Philox counter per element it draws
// (Generator::reserve) and computes element i from counter offset + i alone,
// so the loops parallelize without changing a single bit of the result, and
// the element-wise samplers run on the GPU when the tensor is asked for there:
// the per-element formulas (tensor/random_math.h) are shared with the CUDA
// kernel (cuda/random.cu), so a draw is the same bits on either device.
// randperm and multinomial draw on the CPU and copy.
#include "tensor/random.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <vector>

#include "tensor/parallel.h"
#include "tensor/philox.h"
#include "tensor/profiler.h"
#include "tensor/random_math.h"

#include "tensor/backend/backend.h"  // cuda::sample, cuda::sample_bernoulli

namespace dgm {
namespace {

// Philox costs ~40 multiply-xors per element: worth threads sooner than a copy.
constexpr int64_t kRandomGrain = 4096;

Generator& pick(Generator* gen) { return gen ? *gen : default_generator(); }

template <typename F>
void parallel_for(int64_t n, F f) {
#pragma omp parallel for schedule(static) if (n >= kRandomGrain)
  for (int64_t i = 0; i < n; ++i) f(i);
}

Tensor finish(Tensor t, const TensorOptions& o) {
  if (o.device_.is_cuda()) t = t.to(o.device_);
  if (o.requires_grad_) t.requires_grad_(true);
  return t;
}

void check_floating(const char* op, DType t) {
  DGM_CHECK(is_floating(t), op, ": expected a floating point dtype (float32 or float64), got ", dtype_name(t));
}

// A fresh tensor with out[i] = f.operator()<T>(seed, offset, i), T its C++
// type; f is one of the samplers of tensor/random_math.h.
template <typename F>
Tensor sample(const char* op, const Shape& shape, const TensorOptions& o, Generator* gen, F f) {
  Generator& g = pick(gen);
  // The same numbers, computed on the GPU (for the samplers the CUDA backend
  // knows, tensor/backend/backend.h; bernoulli with a tensor of probabilities
  // has its own CUDA path).
  if constexpr (requires(const Tensor& t) { cuda::sample(t, f, uint64_t{}, uint64_t{}); }) {
    if (o.device_.is_cuda()) {
      Tensor t = empty(shape, o.dtype_, o.device_);
      const uint64_t seed = g.seed();
      profiler::OpScope scope(op, o.device_, {&t});
      cuda::sample(t, f, seed, g.reserve(static_cast<uint64_t>(t.numel())));
      return finish(t, o);
    }
  }
  Tensor t = empty(shape, o.dtype_, Device());
  const uint64_t seed = g.seed();
  const uint64_t offset = g.reserve(static_cast<uint64_t>(t.numel()));
  profiler::OpScope scope(op, Device(), {&t});
  dispatch_all(o.dtype_, op, [&]<typename T>() {
    T* p = t.data_ptr<T>();
    parallel_for(t.numel(),
                 [&](int64_t i) { p[i] = f.template operator()<T>(seed, offset, static_cast<uint64_t>(i)); });
  });
  return finish(t, o);
}

}  // namespace

// ---- Generator ----

Generator& Generator::operator=(const Generator& other) {
  seed_.store(other.seed());
  offset_.store(other.offset());
  return *this;
}

void Generator::manual_seed(uint64_t seed) {
  seed_.store(seed);
  offset_.store(0);
}

Tensor Generator::get_state() const {
  return tensor(std::vector<int64_t>{std::bit_cast<int64_t>(seed()), std::bit_cast<int64_t>(offset())});
}

void Generator::set_state(const Tensor& state) {
  DGM_CHECK(state.defined() && state.dtype() == kInt64 && state.numel() == 2,
            "Generator::set_state: expected an int64 tensor of 2 elements [seed, offset], got ",
            state.defined() ? dtype_name(state.dtype()) : "undefined", " of shape ",
            state.defined() ? shape_str(state.shape()) : "()");
  std::vector<int64_t> v = state.to_vector<int64_t>();
  seed_.store(std::bit_cast<uint64_t>(v[0]));
  offset_.store(std::bit_cast<uint64_t>(v[1]));
}

Generator& default_generator() {
  static Generator* g = new Generator();  // never destroyed, like the allocator
  return *g;
}

void manual_seed(uint64_t seed) { default_generator().manual_seed(seed); }

// ---- continuous distributions ----

Tensor rand(const Shape& shape, TensorOptions o, Generator* gen) {
  check_floating("rand", o.dtype_);
  return sample("rand", shape, o, gen, random_math::Rand{});
}
Tensor rand(const Shape& shape, Generator* gen) { return rand(shape, TensorOptions(), gen); }

Tensor uniform(double from, double to, const Shape& shape, TensorOptions o, Generator* gen) {
  check_floating("uniform", o.dtype_);
  DGM_CHECK(from <= to && std::isfinite(from) && std::isfinite(to), "uniform: expected from <= to, both finite, got [",
            from, ", ", to, ")");
  return sample("uniform", shape, o, gen, random_math::Uniform{from, to});
}

Tensor randn(const Shape& shape, TensorOptions o, Generator* gen) { return normal(0, 1, shape, o, gen); }
Tensor randn(const Shape& shape, Generator* gen) { return randn(shape, TensorOptions(), gen); }

Tensor normal(double mean, double std, const Shape& shape, TensorOptions o, Generator* gen) {
  check_floating("normal", o.dtype_);
  DGM_CHECK(std >= 0, "normal: expected std >= 0, got ", std);
  return sample("normal", shape, o, gen, random_math::Normal{mean, std});
}

Tensor rand_like(const Tensor& t, Generator* gen) {
  return rand(t.shape(), TensorOptions(t.dtype()).device(t.device()), gen);
}
Tensor randn_like(const Tensor& t, Generator* gen) {
  return randn(t.shape(), TensorOptions(t.dtype()).device(t.device()), gen);
}

Tensor& Tensor::uniform_(double from, double to, Generator* gen) {
  check_floating("uniform_", dtype());
  return copy_(uniform(from, to, shape(), TensorOptions(dtype()).device(device()), gen));
}

Tensor& Tensor::normal_(double mean, double std, Generator* gen) {
  check_floating("normal_", dtype());
  return copy_(normal(mean, std, shape(), TensorOptions(dtype()).device(device()), gen));
}

// ---- discrete distributions ----

Tensor randint(int64_t low, int64_t high, const Shape& shape, TensorOptions o, Generator* gen) {
  DGM_CHECK(low < high, "randint: expected low < high, got low=", low, " high=", high);
  const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  return sample("randint", shape, o, gen, random_math::Randint{low, range});
}
Tensor randint(int64_t high, const Shape& shape, TensorOptions o, Generator* gen) {
  return randint(0, high, shape, o, gen);
}

Tensor bernoulli(const Shape& shape, double p, TensorOptions o, Generator* gen) {
  DGM_CHECK(p >= 0 && p <= 1, "bernoulli: expected 0 <= p <= 1, got ", p);
  return sample("bernoulli", shape, o, gen, random_math::Bernoulli{p});
}

Tensor bernoulli(const Tensor& p, Generator* gen) {
  DGM_CHECK(p.defined() && p.is_floating_point(), "bernoulli: expected a floating point tensor of probabilities, got ",
            p.defined() ? dtype_name(p.dtype()) : "undefined");
  if (p.is_cuda()) {
    cuda::check_probabilities(p);  // before the generator moves, as below
    Generator& g = pick(gen);
    Tensor out = empty(p.shape(), p.dtype(), p.device());
    const uint64_t seed = g.seed();
    cuda::sample_bernoulli(out, p, seed, g.reserve(static_cast<uint64_t>(out.numel())));
    return out;
  }
  const std::vector<double> probs = p.to_vector<double>();
  for (double v : probs)
    DGM_CHECK(v >= 0 && v <= 1, "bernoulli: probabilities must be in [0, 1], got ", v, " in a tensor of shape ",
              shape_str(p.shape()));
  Tensor out = sample("bernoulli", p.shape(), TensorOptions(p.dtype()), gen,
                      [&probs]<typename T>(uint64_t s, uint64_t off, uint64_t i) {
                        return random_math::bernoulli_at<T>(probs[i], s, off, i);
                      });
  return p.is_cuda() ? out.to(p.device()) : out;
}

Tensor multinomial(const Tensor& probs, int64_t num_samples, bool replacement, Generator* gen) {
  DGM_CHECK(probs.defined() && (probs.dim() == 1 || probs.dim() == 2),
            "multinomial: expected probs of shape (K) or (B,K), got ",
            probs.defined() ? shape_str(probs.shape()) : "undefined");
  DGM_CHECK(probs.is_floating_point(), "multinomial: expected floating point probs, got ", dtype_name(probs.dtype()));
  const int64_t rows = probs.dim() == 2 ? probs.size(0) : 1, k = probs.size(-1);
  DGM_CHECK(k > 0, "multinomial: probs of shape ", shape_str(probs.shape()), " has no categories");
  DGM_CHECK(num_samples > 0, "multinomial: num_samples must be positive, got ", num_samples);
  DGM_CHECK(replacement || num_samples <= k, "multinomial: cannot draw ", num_samples,
            " samples without replacement from ", k, " categories");
  const std::vector<double> w = probs.to_vector<double>();
  for (int64_t b = 0; b < rows; ++b) {
    double total = 0;
    int64_t nonzero = 0;
    for (int64_t j = 0; j < k; ++j) {
      const double v = w[b * k + j];
      DGM_CHECK(std::isfinite(v) && v >= 0, "multinomial: probabilities must be finite and non-negative, got ", v,
                " in row ", b);
      total += v;
      nonzero += v > 0;
    }
    DGM_CHECK(total > 0, "multinomial: row ", b, " of probs sums to 0");
    DGM_CHECK(replacement || nonzero >= num_samples, "multinomial: row ", b, " has only ", nonzero,
              " categories with nonzero probability, fewer than num_samples=", num_samples, " (replacement=false)");
  }
  Shape out_shape = probs.dim() == 2 ? Shape{rows, num_samples} : Shape{num_samples};
  Tensor out = empty(out_shape, kInt64, Device());
  int64_t* o = out.data_ptr<int64_t>();
  Generator& g = pick(gen);
  const uint64_t seed = g.seed();

  if (replacement) {
    // Inverse CDF: sample s of row b uses counter b*num_samples + s.
    std::vector<double> cdf(w.size());
    for (int64_t b = 0; b < rows; ++b) {
      double acc = 0;
      for (int64_t j = 0; j < k; ++j) cdf[b * k + j] = acc += w[b * k + j];
    }
    const uint64_t offset = g.reserve(static_cast<uint64_t>(rows * num_samples));
    parallel_for(rows * num_samples, [&](int64_t i) {
      const int64_t b = i / num_samples;
      const double* c = cdf.data() + b * k;
      const double target = philox::uniform<double>(seed, offset, static_cast<uint64_t>(i)) * c[k - 1];
      int64_t j = std::upper_bound(c, c + k, target) - c;  // first category whose cdf exceeds target
      while (j >= k || w[b * k + j] == 0) --j;             // target rounded up to the total
      o[i] = j;
    });
  } else {
    // Exponential races: category j of row b finishes at E_j / w_j with
    // E_j ~ Exp(1) from counter b*K + j; the first num_samples to finish, in
    // order, are a draw without replacement (the exponential is memoryless).
    const uint64_t offset = g.reserve(static_cast<uint64_t>(rows * k));
#pragma omp parallel for schedule(static) if (rows * k >= kRandomGrain)
    for (int64_t b = 0; b < rows; ++b) {
      std::vector<std::pair<double, int64_t>> finish;
      for (int64_t j = 0; j < k; ++j) {
        const double wj = w[b * k + j];
        if (wj == 0) continue;
        const double u = philox::uniform<double>(seed, offset, static_cast<uint64_t>(b * k + j));
        finish.push_back({-std::log1p(-u) / wj, j});
      }
      std::partial_sort(finish.begin(), finish.begin() + num_samples, finish.end());
      for (int64_t s = 0; s < num_samples; ++s) o[b * num_samples + s] = finish[s].second;
    }
  }
  return probs.is_cuda() ? out.to(probs.device()) : out;
}

Tensor randperm(int64_t n, TensorOptions o, Generator* gen) {
  DGM_CHECK(n >= 0, "randperm: n must be non-negative, got ", n);
  // Sort 0..n-1 by 64 random bits each (ties, vanishingly rare, by index).
  std::vector<std::pair<uint64_t, int64_t>> keys(static_cast<size_t>(n));
  Generator& g = pick(gen);
  const uint64_t seed = g.seed();
  const uint64_t offset = g.reserve(static_cast<uint64_t>(n));
  parallel_for(n, [&](int64_t i) {
    const philox::Block b = philox::block_at(seed, offset, static_cast<uint64_t>(i));
    keys[i] = {philox::bits64(b.x[0], b.x[1]), i};
  });
  std::sort(keys.begin(), keys.end());
  std::vector<int64_t> perm(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) perm[i] = keys[i].second;
  return tensor(perm, {n}, o);
}

}  // namespace dgm
