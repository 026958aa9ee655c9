#include "models/gan/conv_critic.h"

#include <cmath>

#include "autograd/grad_mode.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/reduction.h"

namespace dgm::models::gan {

ConvCritic::ConvCritic(int64_t n_channels_, std::optional<double> clip_c_, int64_t in_channels_)
    : n_channels(n_channels_), in_channels(in_channels_), clip_c(clip_c_) {
  DGM_CHECK(n_channels > 0 && in_channels > 0, "ConvCritic: expected positive n_channels and in_channels, got ",
            n_channels, " and ", in_channels);
  DGM_CHECK(!clip_c || (std::isfinite(*clip_c) && *clip_c > 0), "ConvCritic: clip_c must be positive, got ",
            clip_c ? *clip_c : 0.0);
  // BEGIN SOLUTION hw3.9/layers
  blocks = register_module("blocks", std::make_shared<nn::Sequential>());
  blocks->push_back(std::make_shared<CriticBlock>(in_channels, n_channels, true, true));
  blocks->push_back(std::make_shared<CriticBlock>(n_channels, n_channels, true));
  blocks->push_back(std::make_shared<CriticBlock>(n_channels, n_channels));
  blocks->push_back(std::make_shared<CriticBlock>(n_channels, n_channels));
  linear = register_module("linear", std::make_shared<nn::Linear>(n_channels, 1));
  // END SOLUTION
  if (clip_c) clip_weights();
}

std::string ConvCritic::extra_repr() const {
  return "n_channels=" + std::to_string(n_channels) + ", in_channels=" + std::to_string(in_channels) +
         (clip_c ? ", clip_c=" + std::to_string(*clip_c) : std::string());
}

void ConvCritic::clip_weights() {
  DGM_CHECK(clip_c.has_value(), "ConvCritic::clip_weights: the critic has no clip_c");
  // BEGIN SOLUTION hw3.9/clip
  NoGradGuard no_grad;
  for (Tensor& p : parameters()) p.clamp_(-*clip_c, *clip_c);
  // END SOLUTION
}

bool ConvCritic::weights_clipped() const {
  if (!clip_c) return true;
  NoGradGuard no_grad;
  for (const Tensor& p : parameters())
    if (p.abs().max().item() > *clip_c) return false;
  return true;
}

Tensor ConvCritic::forward(const Tensor& x) {
  DGM_CHECK(x.dim() == 4 && x.size(1) == in_channels && x.size(2) == 32 && x.size(3) == 32,
            "ConvCritic: expected images (B, ", in_channels, ", 32, 32), got ", shape_str(x.shape()));
  if (clip_c && !weights_clipped()) clip_weights();
  // BEGIN SOLUTION hw3.9/forward
  // blocks 32 -> 8, relu, global mean over H and W, linear to one score
  Tensor h = relu(blocks->forward(x)).mean({2, 3});
  return linear->forward(h);
  // END SOLUTION
}

}  // namespace dgm::models::gan
