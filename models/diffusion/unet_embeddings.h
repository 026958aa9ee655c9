// The embeddings of the homework 5 task 3 UNet (given code in the course), for a timestep t and a class label y:
//
//   Swish(x) = x sigmoid(x)
//   TimeEmbedding(T, dim_in, dim_out)                                       (dim_in even)
//     table[t, 2i] = sin(t w_i), table[t, 2i + 1] = cos(t w_i),  w_i = exp(2i / dim_in * log 10000)
//       (the course's exponent is POSITIVE, exactly as written in the notebook: the frequencies grow with i;
//        the table is computed in float32 as PyTorch does)
//     temb(t) = Linear(Swish(Linear(table[t])))        (B) int64 -> (B, dim_out); both Linear layers:
//     xavier_normal weights, zero biases. The table is frozen (the course's Embedding.from_pretrained): here it is
//     derived state, neither a parameter nor a saved buffer (a function of T and dim_in), moved to t's device on
//     use. Its high-frequency entries are sin of arguments up to T 10000^(1 - 2/dim_in), where one float32 ulp of
//     the argument is a large angle: they depend on the exp and sin of the implementation (PyTorch's differ).
//   ConditionalEmbedding(num_labels, dim_in, dim_out)
//     cemb(y) = Linear(Swish(Linear(E[y + 1])))        E: Embedding(num_labels + 1, dim_in, padding_idx = 0)
//     Row 0 of E is the course's "empty" class (padding, always zero). Labels y in [0, num_labels) are looked up
//     shifted by one, so that digit 0 gets a trained row of its own; y = -1 looks up the empty row. (The UNet
//     itself uses cemb = 0 for "no label", as the course's forward does.)
//   ContinuousTimeEmbedding(dim)                       homework 6 (flow matching), t in [0, 1] real   (dim even)
//     freqs_k = k pi, k = 1..dim/2;  emb(t) = cat(sin(freqs t), cos(freqs t))   (B) float -> (B, dim)
//     No MLP and no parameters (the course's hw6 TimeEmbedding); sin first, then cos (concatenated, not
//     interleaved).
#pragma once
#include <memory>

#include "nn/modules/embedding.h"
#include "nn/modules/linear.h"

namespace dgm::models::diffusion {

// x sigmoid(x) (SiLU), elementwise.
class Swish : public nn::Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Swish"; }
};

// The fixed sinusoidal table (T, dim_in) above, float32.
Tensor sinusoidal_table(int64_t num_timesteps, int64_t dim_in);

class TimeEmbedding : public nn::Module {
 public:
  TimeEmbedding(int64_t num_timesteps, int64_t dim_in, int64_t dim_out);
  // t (B) int64 in [0, T) -> (B, dim_out).
  Tensor forward(const Tensor& t) override;
  std::string name() const override { return "TimeEmbedding"; }

  int64_t num_timesteps, dim_in, dim_out;
  Tensor table;  // (T, dim_in), frozen, not registered
  std::shared_ptr<nn::Linear> linear1, linear2;
};

class ConditionalEmbedding : public nn::Module {
 public:
  ConditionalEmbedding(int64_t num_labels, int64_t dim_in, int64_t dim_out);
  // y (B) int64 in [-1, num_labels) (-1: the empty class) -> (B, dim_out).
  Tensor forward(const Tensor& y) override;
  std::string name() const override { return "ConditionalEmbedding"; }

  int64_t num_labels, dim_in, dim_out;
  std::shared_ptr<nn::Embedding> embedding;  // num_labels + 1 rows, padding_idx 0
  std::shared_ptr<nn::Linear> linear1, linear2;
};

class ContinuousTimeEmbedding : public nn::Module {
 public:
  explicit ContinuousTimeEmbedding(int64_t dim);
  // t (B) float32 or float64, real (the flow's time, [0, 1] in use) -> (B, dim) in t's dtype.
  Tensor forward(const Tensor& t) override;
  std::string name() const override { return "ContinuousTimeEmbedding"; }
  std::string extra_repr() const override { return "dim=" + std::to_string(dim); }

  int64_t dim;
};

}  // namespace dgm::models::diffusion
