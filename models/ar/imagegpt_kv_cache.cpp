#include "models/ar/imagegpt_kv_cache.h"

#include <algorithm>
#include <cstdio>

#include "autograd/grad_mode.h"
#include "autograd/ops/elementwise.h"
#include "nn/functional/attention.h"
#include "nn/functional/linear.h"

namespace dgm::models {

ImageGPTKVCache::ImageGPTKVCache(const ImageGPT& model, int64_t batch) : model_(model), batch_(batch) {
  DGM_CHECK(batch > 0, "ImageGPTKVCache: batch must be positive, got ", batch);
  DGM_CHECK(model.sos.defined() && !model.layers.empty(), "ImageGPTKVCache: the model has no layers yet");
  const int64_t L = model.height() * model.width();
  const TensorOptions options = TensorOptions(model.sos.dtype()).device(model.sos.device());
  for (const auto& layer : model.layers) {
    const int64_t heads = layer->attn->num_heads, d = layer->attn->head_dim;
    keys_.push_back(zeros({batch, heads, L, d}, options));
    values_.push_back(zeros({batch, heads, L, d}, options));
  }
}

Tensor ImageGPTKVCache::next_logits(const Tensor& previous_tokens) {
  const int64_t L = model_.height() * model_.width(), E = model_.sos.size(0);
  DGM_CHECK(t_ < L, "ImageGPTKVCache: all ", L, " positions are done");
  DGM_CHECK(!GradMode::is_enabled(), "ImageGPTKVCache: call it without a graph (NoGradGuard)");
  const Device device = model_.sos.device();

  // the input token: sos at t = 0, else the embedding of pixel t-1; plus the position
  Tensor h;  // (B, E)
  if (t_ == 0) {
    h = model_.sos.view({1, E}).expand({batch_, E});
  } else {
    DGM_CHECK(previous_tokens.dim() == 1 && previous_tokens.size(0) == batch_, "ImageGPTKVCache: expected ", batch_,
              " previous tokens, got shape ", shape_str(previous_tokens.shape()));
    h = model_.token_embeddings->forward(previous_tokens.to(kInt64).to(device));
  }
  h = h + model_.position_embeddings->forward(full({1}, static_cast<double>(t_), TensorOptions(kInt64).device(device)));

  for (size_t l = 0; l < model_.layers.size(); ++l) {
    const TransformerBlock& block = *model_.layers[l];
    const nn::MultiheadAttention& attn = *block.attn;
    const int64_t heads = attn.num_heads, d = attn.head_dim;
    // q, k, v of the new token: (B, E) each, then (B, heads, 1, d)
    Tensor qkv = nn::functional::linear(block.ln1->forward(h), attn.in_proj_weight, attn.in_proj_bias);  // (B, 3E)
    Tensor q = qkv.narrow(1, 0, E).reshape({batch_, heads, 1, d});
    keys_[l].narrow(2, t_, 1).copy_(qkv.narrow(1, E, E).reshape({batch_, heads, 1, d}));
    values_[l].narrow(2, t_, 1).copy_(qkv.narrow(1, 2 * E, E).reshape({batch_, heads, 1, d}));
    // the query attends over positions 0..t: no mask needed, the future is not in the cache yet
    Tensor heads_out =
        nn::functional::scaled_dot_product_attention(q, keys_[l].narrow(2, 0, t_ + 1), values_[l].narrow(2, 0, t_ + 1));
    Tensor a = h + attn.out_proj->forward(heads_out.reshape({batch_, E}));
    h = a + block.fc2->forward(relu(block.fc1->forward(block.ln2->forward(a))));
  }
  ++t_;
  return model_.head->forward(model_.final_norm->forward(h)).view({batch_});
}

Tensor sample_with_kv_cache(const ImageGPT& model, int64_t n, Generator* gen, Tensor* logits) {
  DGM_CHECK(n > 0, "sample_with_kv_cache: n must be positive, got ", n);
  NoGradGuard no_grad;
  const int64_t L = model.height() * model.width();
  ImageGPTKVCache cache(model, n);
  const TensorOptions options = TensorOptions().device(model.sos.device());  // as ImageGPT::sample
  Tensor x = zeros({n, L}, options);
  if (logits) *logits = zeros({n, L}, TensorOptions(model.sos.dtype()).device(model.sos.device()));
  Tensor previous;  // undefined at t = 0
  for (int64_t t = 0; t < L; ++t) {
    Tensor logit = cache.next_logits(previous);
    if (logits) logits->select(1, t).copy_(logit);
    x.select(1, t).copy_(bernoulli(sigmoid(logit), gen));
    previous = x.select(1, t);
  }
  return x.view({n, 1, model.height(), model.width()});
}

Tensor ImageGPT::generate(int64_t n, const SampleOptions& options) {
  NoGradGuard no_grad;
  Generator* gen = options.gen;
  Tensor cached_logits;
  Tensor x = sample_with_kv_cache(*this, n, gen, &cached_logits);
  // checking a few images is enough to catch a structural mismatch, and keeps the (m, L, L) scores small
  const int64_t m = std::min<int64_t>(n, 16);
  cached_logits = cached_logits.narrow(0, 0, m);
  Tensor logits = forward(x.narrow(0, 0, m)).view({m, height_ * width_});
  // float32 rounding differs between the two paths; a structural mismatch is far larger
  const double gap = (logits - cached_logits).abs().max().item<double>();
  const double scale = 1.0 + logits.abs().max().item<double>();
  if (!(gap > 1e-3 * scale)) return x;  // NaN logits (a diverged model) are not the cache's fault
  std::fprintf(stderr,
               "ImageGPT::generate: the key-value cache's logits differ from forward's by %.3g; "
               "sampling with sample() instead\n",
               gap);
  return sample(n, options);
}

}  // namespace dgm::models
