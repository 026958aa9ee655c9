// What a model is trained on and what it is asked to draw.
//
// A Batch holds the examples of one step (or of a whole split): x, the images
// (B,C,H,W) or points (B,D); y, optional labels (B) int64 for conditional
// models; pair, an optional tensor paired with x example by example (the noise
// of a reflow pair, a stage-1 code). Undefined members are absent. A Batch is
// built implicitly from a tensor, so `model.loss(x)` keeps working for models
// that only need x.
//
// SampleOptions are what sample(n, options) may use: the generator to draw
// from, class labels (n) for conditional models, a guidance scale and a
// number of sampler steps (0: the model's default). A Generator* converts to
// SampleOptions, so `model.sample(n, &gen)` works.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tensor/random.h"

namespace dgm::models {

struct Batch {
  Tensor x;
  Tensor y;
  Tensor pair;

  Batch() = default;
  Batch(Tensor x_) : x(std::move(x_)) {}  // NOLINT: implicit, a bare tensor is a batch of x alone
  Batch(Tensor x_, Tensor y_, Tensor pair_ = Tensor()) : x(std::move(x_)), y(std::move(y_)), pair(std::move(pair_)) {}

  // Number of examples (x.size(0)).
  int64_t size() const;
  bool has_labels() const { return y.defined(); }
  bool has_pair() const { return pair.defined(); }
  // Every defined member moved to `device`.
  Batch to(Device device) const;
  // Examples [start, start + n) of every defined member (views).
  Batch narrow(int64_t start, int64_t n) const;
  // The defined members in the order x, y, pair (what a TensorDataset holds), and back.
  std::vector<Tensor> tensors() const;
  static Batch from_tensors(const std::vector<Tensor>& tensors, bool has_labels, bool has_pair);
};

struct SampleOptions {
  Generator* gen = nullptr;                 // null: the default generator
  Tensor labels;                            // (n) int64 class of each sample, for conditional models
  double guidance = 0;                      // classifier-free guidance scale w (0: none)
  int64_t steps = 0;                        // sampler steps (0: the model's default)
  std::string ode_method;                   // ODE samplers: euler, midpoint, rk4 or dopri5 ("": the model's default)
  int64_t* function_evaluations = nullptr;  // ODE samplers add their NFE here when it is set

  SampleOptions() = default;
  SampleOptions(Generator* gen_) : gen(gen_) {}  // NOLINT: implicit, sample(n, &gen)
};

}  // namespace dgm::models
