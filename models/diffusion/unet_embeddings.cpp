#include "models/diffusion/unet_embeddings.h"

#include <cmath>
#include <vector>

#include "autograd/ops/elementwise.h"
#include "autograd/ops/index_ops.h"
#include "autograd/ops/shape_ops.h"
#include "nn/init.h"
#include "tensor/error.h"
#include "tensor/factories.h"

namespace dgm::models::diffusion {

namespace {

void check_labels(const Tensor& v, int64_t low, int64_t high, const char* who, const char* what) {
  DGM_CHECK(v.defined() && v.dim() == 1 && v.dtype() == kInt64, who, ": expected ", what, " (B) int64, got ",
            v.defined() ? shape_str(v.shape()) : std::string("nothing"));
  if (v.numel() == 0) return;
  const int64_t lo = v.min().item<int64_t>(), hi = v.max().item<int64_t>();
  DGM_CHECK(lo >= low && hi < high, who, ": ", what, " must be in [", low, ", ", high, "), got values in [", lo, ", ",
            hi, "]");
}

}  // namespace

// Swish(x) = x sigmoid(x)
Tensor Swish::forward(const Tensor& x) { return silu(x); }

Tensor sinusoidal_table(int64_t num_timesteps, int64_t dim_in) {
  DGM_CHECK(num_timesteps > 0 && dim_in > 0 && dim_in % 2 == 0,
            "TimeEmbedding: expected T > 0 and an even dim_in, got T = ", num_timesteps, ", dim_in = ", dim_in);
  // float32 steps as PyTorch's: w_i = exp(float(2i) / dim_in * float(log 10000)), arg = float(t) * w_i
  const float log10000 = static_cast<float>(std::log(10000.0));
  std::vector<float> w(static_cast<size_t>(dim_in / 2));
  for (int64_t i = 0; i < dim_in / 2; ++i)
    w[static_cast<size_t>(i)] =
        std::exp(static_cast<float>(2 * i) / static_cast<float>(dim_in) * log10000);  // positive exponent
  std::vector<float> table(static_cast<size_t>(num_timesteps * dim_in));
  for (int64_t t = 0; t < num_timesteps; ++t)
    for (int64_t i = 0; i < dim_in / 2; ++i) {
      const float arg = static_cast<float>(t) * w[static_cast<size_t>(i)];
      table[static_cast<size_t>(t * dim_in + 2 * i)] = std::sin(arg);
      table[static_cast<size_t>(t * dim_in + 2 * i + 1)] = std::cos(arg);
    }
  return tensor(table, {num_timesteps, dim_in});
}

TimeEmbedding::TimeEmbedding(int64_t num_timesteps_, int64_t dim_in_, int64_t dim_out_)
    : num_timesteps(num_timesteps_), dim_in(dim_in_), dim_out(dim_out_) {
  DGM_CHECK(dim_out > 0, "TimeEmbedding: expected dim_out > 0, got ", dim_out);
  table = sinusoidal_table(num_timesteps, dim_in);
  linear1 = register_module("linear1", std::make_shared<nn::Linear>(dim_in, dim_out));
  linear2 = register_module("linear2", std::make_shared<nn::Linear>(dim_out, dim_out));
  for (const auto& l : {linear1, linear2}) {
    nn::init::xavier_normal_(l->weight);
    nn::init::zeros_(l->bias);
  }
}

Tensor TimeEmbedding::forward(const Tensor& t) {
  check_labels(t, 0, num_timesteps, "TimeEmbedding", "timesteps t");
  if (table.device() != t.device()) table = table.to(t.device());
  return linear2->forward(silu(linear1->forward(index_select(table, 0, t))));
}

ConditionalEmbedding::ConditionalEmbedding(int64_t num_labels_, int64_t dim_in_, int64_t dim_out_)
    : num_labels(num_labels_), dim_in(dim_in_), dim_out(dim_out_) {
  DGM_CHECK(num_labels > 0 && dim_in > 0 && dim_out > 0,
            "ConditionalEmbedding: expected positive num_labels, dim_in and dim_out, got ", num_labels, ", ", dim_in,
            ", ", dim_out);
  embedding = register_module("embedding", std::make_shared<nn::Embedding>(num_labels + 1, dim_in, 0));
  linear1 = register_module("linear1", std::make_shared<nn::Linear>(dim_in, dim_out));
  linear2 = register_module("linear2", std::make_shared<nn::Linear>(dim_out, dim_out));
}

Tensor ConditionalEmbedding::forward(const Tensor& y) {
  check_labels(y, -1, num_labels, "ConditionalEmbedding", "labels y");
  // row y + 1; row 0 is the empty class
  return linear2->forward(silu(linear1->forward(embedding->forward(y + ones_like(y)))));
}

ContinuousTimeEmbedding::ContinuousTimeEmbedding(int64_t dim_) : dim(dim_) {
  DGM_CHECK(dim > 0 && dim % 2 == 0, "ContinuousTimeEmbedding: expected a positive even dim, got ", dim);
}

Tensor ContinuousTimeEmbedding::forward(const Tensor& t) {
  DGM_CHECK(t.defined() && t.dim() == 1 && (t.dtype() == kFloat32 || t.dtype() == kFloat64),
            "ContinuousTimeEmbedding: expected times t (B) float32 or float64, got ",
            t.defined() ? shape_str(t.shape()) + " " + dtype_name(t.dtype()) : std::string("nothing"));
  // freqs_k = k pi, k = 1..dim/2; emb = cat(sin(freqs t), cos(freqs t))
  const Tensor freqs =
      arange(1.0, static_cast<double>(dim / 2 + 1), 1.0, TensorOptions().dtype(t.dtype()).device(t.device())) * M_PI;
  const Tensor args = t.unsqueeze(1) * freqs.unsqueeze(0);
  return cat({sin(args), cos(args)}, 1);
}

}  // namespace dgm::models::diffusion
