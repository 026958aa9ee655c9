// Random numbers: a seeded, counter-based Generator (Philox4x32-10, see
// tensor/philox.h) and the libtorch sampling functions built on it.
//
//   dgm::manual_seed(0);                       // the default generator
//   Tensor x = dgm::randn({64, 3, 32, 32});
//   dgm::Generator gen(42);                    // or a private one
//   Tensor i = dgm::randint(0, 10, {8}, kInt64, &gen);
//
// A Generator is just (seed, offset). A draw of n numbers uses the Philox
// counters offset, offset+1, ..., offset+n-1 (one counter per element) and then
// advances the offset by n, so the numbers depend only on the seed and on the
// order of draws, never on the thread count; the (seed, offset) pair is the
// whole state to save in a checkpoint.
#pragma once
#include <atomic>
#include <cstdint>

#include "tensor/factories.h"
#include "tensor/tensor.h"

namespace dgm {

class Generator {
 public:
  static constexpr uint64_t kDefaultSeed = 67280421310721ull;  // PyTorch's default seed

  explicit Generator(uint64_t seed = kDefaultSeed) : seed_(seed), offset_(0) {}
  Generator(const Generator& other) : seed_(other.seed()), offset_(other.offset()) {}
  Generator& operator=(const Generator& other);

  // Sets the seed and restarts the stream (offset 0).
  void manual_seed(uint64_t seed);
  // The seed in use (note: torch.Generator.seed() re-seeds randomly; here it is
  // the getter, the same as initial_seed()).
  uint64_t seed() const { return seed_.load(); }
  uint64_t initial_seed() const { return seed(); }
  // Number of Philox counters consumed so far.
  uint64_t offset() const { return offset_.load(); }
  void set_offset(uint64_t offset) { offset_.store(offset); }

  // The state as an int64 tensor [seed, offset] (bit patterns), for checkpoints.
  Tensor get_state() const;
  void set_state(const Tensor& state);

  // Claims n consecutive counters and returns the first (thread safe). A CUDA
  // kernel gets (seed(), reserve(n)) and calls philox::block_at per element.
  uint64_t reserve(uint64_t n) { return offset_.fetch_add(n); }

 private:
  std::atomic<uint64_t> seed_;
  std::atomic<uint64_t> offset_;
};

// The generator used when none is passed.
Generator& default_generator();
// torch.manual_seed: re-seeds the default generator (offset back to 0).
void manual_seed(uint64_t seed);

// ---- sampling (float32 unless options say otherwise) ----

// Uniform on [0, 1).
Tensor rand(const Shape& shape, TensorOptions options = {}, Generator* gen = nullptr);
Tensor rand(const Shape& shape, Generator* gen);
// Standard normal (Box-Muller).
Tensor randn(const Shape& shape, TensorOptions options = {}, Generator* gen = nullptr);
Tensor randn(const Shape& shape, Generator* gen);
// Integers uniform on [low, high) (int64 unless options say otherwise).
Tensor randint(int64_t low, int64_t high, const Shape& shape, TensorOptions options = kInt64, Generator* gen = nullptr);
Tensor randint(int64_t high, const Shape& shape, TensorOptions options = kInt64, Generator* gen = nullptr);
// N(mean, std^2).
Tensor normal(double mean, double std, const Shape& shape, TensorOptions options = {}, Generator* gen = nullptr);
// Uniform on [from, to).
Tensor uniform(double from, double to, const Shape& shape, TensorOptions options = {}, Generator* gen = nullptr);

// Same shape and dtype as t.
Tensor rand_like(const Tensor& t, Generator* gen = nullptr);
Tensor randn_like(const Tensor& t, Generator* gen = nullptr);

// 1 with probability p[i], else 0; same shape and dtype as p (values in [0, 1]).
Tensor bernoulli(const Tensor& p, Generator* gen = nullptr);
// 1 with probability p (float32 unless options say otherwise).
Tensor bernoulli(const Shape& shape, double p, TensorOptions options = {}, Generator* gen = nullptr);

// Category indices (int64) drawn with probability proportional to the
// non-negative weights in each row of probs, (K) -> (num_samples) or
// (B, K) -> (B, num_samples). Without replacement the indices in a row are
// distinct, in the order they were drawn.
Tensor multinomial(const Tensor& probs, int64_t num_samples, bool replacement = false, Generator* gen = nullptr);

// A random permutation of 0..n-1 (int64 unless options say otherwise).
Tensor randperm(int64_t n, TensorOptions options = kInt64, Generator* gen = nullptr);

}  // namespace dgm
