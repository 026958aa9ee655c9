#include "models/flows/vit_encoder.h"

#include "autograd/ops/elementwise.h"
#include "nn/functional/attention.h"
#include "tensor/random.h"

namespace dgm::models::flows {

namespace {

std::string hw_str(HW hw) { return shape_str({hw.first, hw.second}); }

void check_patch(const char* op, HW image, HW patch) {
  DGM_CHECK(patch.first > 0 && patch.second > 0, op, ": patch_shape must be positive, got ", hw_str(patch));
  DGM_CHECK(image.first > 0 && image.second > 0 && image.first % patch.first == 0 && image.second % patch.second == 0,
            op, ": image_shape ", hw_str(image), " is not divisible by patch_shape ", hw_str(patch));
}

}  // namespace

Tensor patchify(const Tensor& images, HW patch) {
  DGM_CHECK(images.dim() == 4, "patchify: expected images (B,C,H,W), got ", shape_str(images.shape()));
  const int64_t B = images.size(0), C = images.size(1), H = images.size(2), W = images.size(3);
  check_patch("patchify", {H, W}, patch);
  const auto [p1, p2] = patch;
  const int64_t h = H / p1, w = W / p2;
  // (B, C, h, p1, w, p2) -> (B, h, w, p1, p2, C) -> (B, h*w, p1*p2*C)
  return images.reshape({B, C, h, p1, w, p2}).permute({0, 2, 4, 3, 5, 1}).reshape({B, h * w, p1 * p2 * C});
}

Tensor unpatchify(const Tensor& tokens, HW image, HW patch, int64_t channels) {
  check_patch("unpatchify", image, patch);
  const auto [p1, p2] = patch;
  const int64_t h = image.first / p1, w = image.second / p2;
  DGM_CHECK(tokens.dim() == 3 && tokens.size(1) == h * w && tokens.size(2) == p1 * p2 * channels,
            "unpatchify: expected tokens (B, ", h * w, ", ", p1 * p2 * channels, ") for image_shape ", hw_str(image),
            ", patch_shape ", hw_str(patch), " and ", channels, " channels, got ", shape_str(tokens.shape()));
  const int64_t B = tokens.size(0);
  // (B, h, w, p1, p2, C) -> (B, C, h, p1, w, p2) -> (B, C, H, W)
  return tokens.reshape({B, h, w, p1, p2, channels})
      .permute({0, 5, 1, 3, 2, 4})
      .reshape({B, channels, image.first, image.second});
}

ViTAttention::ViTAttention(int64_t dim, int64_t heads, int64_t dim_head) : heads(heads), dim_head(dim_head) {
  DGM_CHECK(dim > 0 && heads > 0 && dim_head > 0, "ViTAttention: dim, heads and dim_head must be positive, got dim ",
            dim, ", heads ", heads, ", dim_head ", dim_head);
  const int64_t inner = heads * dim_head;
  to_qkv = register_module("to_qkv", std::make_shared<nn::Linear>(dim, 3 * inner, false));
  if (heads == 1 && dim_head == dim)
    to_out = register_module("to_out", std::make_shared<nn::Identity>());
  else
    to_out = register_module("to_out", std::make_shared<nn::Linear>(inner, dim));
}

std::string ViTAttention::extra_repr() const {
  return "heads=" + std::to_string(heads) + ", dim_head=" + std::to_string(dim_head);
}

Tensor ViTAttention::forward(const Tensor& x) {
  DGM_CHECK(x.dim() == 3 && x.size(2) == to_qkv->in_features, "ViTAttention: expected tokens (B, N, ",
            to_qkv->in_features, "), got ", shape_str(x.shape()));
  const int64_t B = x.size(0), N = x.size(1);
  // "b n (h d) -> b h n d" for each of q, k, v
  auto split_heads = [&](const Tensor& t) { return t.reshape({B, N, heads, dim_head}).permute({0, 2, 1, 3}); };
  std::vector<Tensor> qkv = to_qkv->forward(x).chunk(3, -1);
  // softmax(q k^T / sqrt(dim_head)) v, per head
  Tensor out =
      nn::functional::scaled_dot_product_attention(split_heads(qkv[0]), split_heads(qkv[1]), split_heads(qkv[2]));
  // "b h n d -> b n (h d)"
  return to_out->forward(out.permute({0, 2, 1, 3}).reshape({B, N, heads * dim_head}));
}

ViTFeedForward::ViTFeedForward(int64_t dim, int64_t mlp_dim) {
  fc1 = register_module("fc1", std::make_shared<nn::Linear>(dim, mlp_dim));
  fc2 = register_module("fc2", std::make_shared<nn::Linear>(mlp_dim, dim));
}

// fc2(relu(fc1(x)))
Tensor ViTFeedForward::forward(const Tensor& x) { return fc2->forward(relu(fc1->forward(x))); }

ViTBlock::ViTBlock(int64_t dim, int64_t heads, int64_t dim_head, int64_t mlp_dim) {
  ln1 = register_module("ln1", std::make_shared<nn::LayerNorm>(Shape{dim}));
  attn = register_module("attn", std::make_shared<ViTAttention>(dim, heads, dim_head));
  ln2 = register_module("ln2", std::make_shared<nn::LayerNorm>(Shape{dim}));
  ff = register_module("ff", std::make_shared<ViTFeedForward>(dim, mlp_dim));
}

namespace {

// PreNorm(dim, fn) with its residual, as the autumn edition's ViT writes each sublayer: fn(norm(x)) + x
Tensor pre_norm_residual(nn::Module& norm, nn::Module& fn, const Tensor& x) { return fn.forward(norm.forward(x)) + x; }

}  // namespace

// the attention sublayer, then the feed-forward one, each PreNorm with a residual
Tensor ViTBlock::forward(const Tensor& x) { return pre_norm_residual(*ln2, *ff, pre_norm_residual(*ln1, *attn, x)); }

ViTEncoder::ViTEncoder(HW image_shape, HW patch_shape, int64_t dim, int64_t depth, int64_t heads, int64_t mlp_dim,
                       int64_t n_channels, int64_t dim_head)
    : image_shape(image_shape), patch_shape(patch_shape), dim(dim), n_channels(n_channels) {
  check_patch("ViTEncoder", image_shape, patch_shape);
  DGM_CHECK(dim > 0 && depth >= 0 && heads > 0 && mlp_dim > 0 && n_channels > 0 && dim_head > 0,
            "ViTEncoder: dim, heads, mlp_dim, n_channels and dim_head must be positive and depth >= 0, got dim ", dim,
            ", depth ", depth, ", heads ", heads, ", mlp_dim ", mlp_dim, ", n_channels ", n_channels, ", dim_head ",
            dim_head);
  const int64_t patch_dim = patch_shape.first * patch_shape.second * n_channels;
  patch_embedding = register_module("patch_embedding", std::make_shared<nn::Linear>(patch_dim, dim));
  // N(0, 1), as the common ViT code's torch.randn(1, num_patches, dim)
  pos_embedding = register_parameter("pos_embedding", randn({1, num_patches(), dim}));
  for (int64_t l = 0; l < depth; ++l)
    blocks.push_back(
        register_module("block" + std::to_string(l), std::make_shared<ViTBlock>(dim, heads, dim_head, mlp_dim)));
  norm = register_module("norm", std::make_shared<nn::LayerNorm>(Shape{dim}));
}

std::string ViTEncoder::extra_repr() const {
  return "image_shape=" + hw_str(image_shape) + ", patch_shape=" + hw_str(patch_shape) +
         ", dim=" + std::to_string(dim) + ", depth=" + std::to_string(blocks.size()) +
         ", n_channels=" + std::to_string(n_channels);
}

Tensor ViTEncoder::forward(const Tensor& x) {
  DGM_CHECK(
      x.dim() == 4 && x.size(1) == n_channels && x.size(2) == image_shape.first && x.size(3) == image_shape.second,
      "ViTEncoder: expected images (B, ", n_channels, ", ", image_shape.first, ", ", image_shape.second, "), got ",
      shape_str(x.shape()));
  Tensor t = patch_embedding->forward(patchify(x, patch_shape)) + pos_embedding;
  for (const auto& block : blocks) t = block->forward(t);
  return norm->forward(t);
}

}  // namespace dgm::models::flows
