// Sampling ImageGPT with a key-value cache (what `generate` does in language
// model libraries).
//
// ImageGPT::sample, the course's algorithm, runs the whole prefix through the
// model for each of the L = H*W pixels: about L^2/2 token passes per layer and
// L^3/3 attention scores. But under the causal mask the keys and values of
// position t never change once computed, so they can be kept: step t runs
// every layer on ONE new token, whose query attends over the cached keys and
// values of positions 0..t. Per layer (d = E / heads, per head):
//
//   n = ln1(h);  q, k_t, v_t = n W_q + b_q, n W_k + b_k, n W_v + b_v
//   K[t] = k_t;  V[t] = v_t
//   a = h + out_proj(softmax(q K[0..t]^T / sqrt(d)) V[0..t])
//   h = a + fc2(relu(fc1(ln2(a))))
//
// with h = emb(x_{t-1}) + pos_emb(t) at the input (sos at t = 0) and
// logit_t = head(final_norm(h)) at the output: L token passes in all.
// The logits are ImageGPT::forward's (up to rounding), and sampling draws the
// same Bernoulli numbers in the same order as ImageGPT::sample.
#pragma once
#include <vector>

#include "models/ar/imagegpt.h"

namespace dgm::models {

class ImageGPTKVCache {
 public:
  // Room for all H*W positions of `batch` sequences, on the model's device and dtype.
  ImageGPTKVCache(const ImageGPT& model, int64_t batch);

  // The logits (batch) of pixel t = steps(), given the tokens (batch) of
  // pixel t-1 (any dtype, values 0/1; ignored at t = 0, where the input is sos).
  // Call without a graph (NoGradGuard).
  Tensor next_logits(const Tensor& previous_tokens);

  int64_t steps() const { return t_; }

 private:
  const ImageGPT& model_;
  int64_t batch_, t_ = 0;
  std::vector<Tensor> keys_, values_;  // per layer (batch, heads, H*W, d)
};

// n images (n, 1, H, W) in {0,1}: the distribution of ImageGPT::sample, in L
// token passes instead of L prefix passes.
// If logits is given, it receives the (n, H*W) logits each pixel was drawn from.
Tensor sample_with_kv_cache(const ImageGPT& model, int64_t n, Generator* gen = nullptr, Tensor* logits = nullptr);

}  // namespace dgm::models
