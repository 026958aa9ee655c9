// The ViT of the course's autumn-2025 homework 2 ("RealNVP on MNIST, ViT
// backbone, Jet-inspired"), as the common ViT code writes it:
//
//   patches  x (B,C,H,W) -> (B, N, p1*p2*C),  N = (H/p1)(W/p2)   einops "b c (h p1) (w p2) -> b (h w) (p1 p2 c)"
//   tokens   t = Linear(p1*p2*C, dim)(patches) + pos               pos: learned (1, N, dim)
//   depth x  t = t + Attention(LayerNorm(t))                        PreNorm multi-head self-attention
//            t = t + FeedForward(LayerNorm(t))                      Linear(dim, mlp_dim), ReLU, Linear(mlp_dim, dim)
//   out      LayerNorm(t)                                           (B, N, dim)
//
// Attention with `heads` heads of width dim_head (inner = heads * dim_head):
//   q, k, v = chunk(to_qkv(t), 3),  to_qkv: Linear(dim, 3 inner, bias=false), each split "b n (h d) -> b h n d"
//   out     = to_out(merge_heads(softmax(q k^T / sqrt(dim_head)) v)),  to_out: Linear(inner, dim),
// with to_out the identity when heads == 1 and dim_head == dim.
//
// Element order of a token (patch (i, j) is token i * (W/p2) + j): feature
// (a * p2 + b) * C + c holds pixel x[c, i*p1 + a, j*p2 + b].
#pragma once
#include <memory>
#include <utility>
#include <vector>

#include "nn/modules/linear.h"
#include "nn/modules/normalization.h"

namespace dgm::models::flows {

using HW = std::pair<int64_t, int64_t>;  // (height, width)

// "b c (h p1) (w p2) -> b (h w) (p1 p2 c)": images (B,C,H,W) -> tokens (B, N, p1*p2*C).
// H and W must be multiples of the patch's sides.
Tensor patchify(const Tensor& images, HW patch);
// The inverse, "b (h w) (p1 p2 c) -> b c (h p1) (w p2)": tokens (B, N, p1*p2*C) -> images (B,C,H,W).
Tensor unpatchify(const Tensor& tokens, HW image, HW patch, int64_t channels);

// Multi-head self-attention over (B, N, dim) tokens.
class ViTAttention : public nn::Module {
 public:
  ViTAttention(int64_t dim, int64_t heads, int64_t dim_head);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "ViTAttention"; }
  std::string extra_repr() const override;

  int64_t heads, dim_head;
  std::shared_ptr<nn::Linear> to_qkv;
  std::shared_ptr<nn::Module> to_out;  // Linear(inner, dim), or Identity
};

// Linear(dim, mlp_dim), ReLU, Linear(mlp_dim, dim).
class ViTFeedForward : public nn::Module {
 public:
  ViTFeedForward(int64_t dim, int64_t mlp_dim);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "ViTFeedForward"; }

  std::shared_ptr<nn::Linear> fc1, fc2;
};

// One pre-norm block: t + attn(ln1(t)), then + ff(ln2(.)).
class ViTBlock : public nn::Module {
 public:
  ViTBlock(int64_t dim, int64_t heads, int64_t dim_head, int64_t mlp_dim);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "ViTBlock"; }

  std::shared_ptr<nn::LayerNorm> ln1, ln2;
  std::shared_ptr<ViTAttention> attn;
  std::shared_ptr<ViTFeedForward> ff;
};

// The course's ViTEncoder(image_shape, patch_shape, dim, depth, heads, mlp_dim, n_channels, dim_head=64):
// images (B, n_channels, H, W) -> tokens (B, N, dim).
class ViTEncoder : public nn::Module {
 public:
  ViTEncoder(HW image_shape, HW patch_shape, int64_t dim, int64_t depth, int64_t heads, int64_t mlp_dim,
             int64_t n_channels, int64_t dim_head = 64);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "ViTEncoder"; }
  std::string extra_repr() const override;

  int64_t num_patches() const {
    return (image_shape.first / patch_shape.first) * (image_shape.second / patch_shape.second);
  }

  HW image_shape, patch_shape;
  int64_t dim, n_channels;
  std::shared_ptr<nn::Linear> patch_embedding;  // Linear(p1*p2*C, dim)
  Tensor pos_embedding;                         // (1, N, dim)
  std::vector<std::shared_ptr<ViTBlock>> blocks;
  std::shared_ptr<nn::LayerNorm> norm;
};

}  // namespace dgm::models::flows
