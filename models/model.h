// What every course model provides, as the course's BaseModel in dgm_utils:
// loss(x) returns named losses of a batch (the optimizer minimizes "loss";
// the others are logged), and sample(n) draws n new examples.
#pragma once
#include <map>
#include <string>

#include "nn/module.h"
#include "tensor/random.h"

namespace dgm::models {

using Losses = std::map<std::string, Tensor>;

class GenerativeModel : public nn::Module {
 public:
  virtual Losses loss(const Tensor& x) = 0;
  virtual Tensor sample(int64_t n, Generator* gen = nullptr) = 0;
  // What `dgm train`'s pictures and `dgm sample` draw with: sample(n, gen),
  // unless the model has a faster sampler of the same distribution (ImageGPT:
  // a key-value cache).
  virtual Tensor generate(int64_t n, Generator* gen = nullptr) { return sample(n, gen); }
  // The pictures of a run folder: samples.png (a grid of generate(n_samples))
  // and whatever else the model shows (a VAE adds reconstructions.png of
  // test_batch). Called in eval mode without a graph; random draws come from gen.
  virtual void save_pictures(const std::string& dir, const Tensor& test_batch, int64_t n_samples, Generator* gen);
};

}  // namespace dgm::models
