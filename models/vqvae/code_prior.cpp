#include "models/vqvae/code_prior.h"

#include "autograd/grad_mode.h"
#include "autograd/ops/index_ops.h"
#include "models/vqvae/masked_conv.h"
#include "nn/functional/loss.h"
#include "nn/functional/softmax.h"
#include "nn/io/image_grid.h"
#include "nn/modules/activation.h"

namespace dgm::models::vqvae {

PixelCNN::PixelCNN(int64_t K, std::pair<int64_t, int64_t> shape, int64_t F, int64_t k, int64_t layers)
    : num_embeddings(K), input_shape(shape), n_filters(F), kernel_size(k), n_layers(layers) {
  DGM_CHECK(K > 1 && F > 0 && layers >= 0 && shape.first > 0 && shape.second > 0,
            "PixelCNN: expected num_embeddings > 1, n_filters > 0, n_layers >= 0, got ", K, ", ", F, ", ", layers);
  net = register_module("net", std::make_shared<nn::Sequential>());
  // BEGIN SOLUTION hw3.5/layers
  net->push_back(std::make_shared<MaskedConv2d>('A', K, F, k));
  for (int64_t l = 0; l < layers; ++l) {
    net->push_back(std::make_shared<nn::ReLU>());
    net->push_back(std::make_shared<MaskedConv2d>('B', F, F, k));
  }
  net->push_back(std::make_shared<nn::ReLU>());
  net->push_back(std::make_shared<MaskedConv2d>('B', F, K, 1));
  // END SOLUTION
}

std::string PixelCNN::extra_repr() const {
  return "num_embeddings=" + std::to_string(num_embeddings) + ", n_filters=" + std::to_string(n_filters) +
         ", kernel_size=" + std::to_string(kernel_size) + ", n_layers=" + std::to_string(n_layers);
}

Tensor PixelCNN::forward(const Tensor& x) {
  DGM_CHECK(x.dim() == 4 && x.size(1) == 1 && x.size(2) == input_shape.first && x.size(3) == input_shape.second,
            "PixelCNN: expected code maps (B,1,", input_shape.first, ",", input_shape.second, "), got ",
            shape_str(x.shape()));
  const int64_t B = x.size(0), H = x.size(2), W = x.size(3);
  const Device device = parameters().front().device();
  // one-hot code map: out[b, x[b,0,i,j], i, j] = 1
  Tensor one_hot = zeros({B, num_embeddings, H, W}, TensorOptions().device(device));
  one_hot = scatter(one_hot, 1, x.to(device).to(kInt64), 1.0);
  return net->forward(one_hot).view({-1, num_embeddings, 1, H, W});
}

Losses PixelCNN::loss(const Batch& batch) {
  // BEGIN SOLUTION hw3.5/loss
  const Tensor& x = batch.x;
  // cross-entropy of the K-class logits (B,K,1,H,W) against the codes (B,1,H,W): nats per code
  return {{"loss", nn::functional::cross_entropy(forward(x), x.to(kInt64))}};
  // END SOLUTION
}

Tensor PixelCNN::sample(int64_t n, const SampleOptions& options) {
  NoGradGuard no_grad;
  const int64_t H = input_shape.first, W = input_shape.second;
  Tensor x = zeros({n, 1, H, W}, TensorOptions().device(parameters().front().device()));
  for (int64_t i = 0; i < H; ++i) {
    for (int64_t j = 0; j < W; ++j) {
      Tensor logits = forward(x).select(2, 0).select(2, i).select(2, j);     // (n, K)
      Tensor drawn = multinomial(softmax(logits, 1), 1, true, options.gen);  // (n, 1)
      x.select(1, 0).select(1, i).select(1, j).copy_(drawn.view({n}).to(x.dtype()));
    }
  }
  return x;
}

void PixelCNN::save_pictures(const std::string& dir, const Batch&, int64_t n_samples, Generator* gen) {
  NoGradGuard no_grad;
  SampleOptions sample_options;
  sample_options.gen = gen;
  Tensor codes = sample(n_samples, sample_options);  // (n,1,H,W)
  nn::io::ImageOptions options;
  options.nrow = 10;
  nn::io::save_image_grid(dir + "/codes.png", VQVAEModel::code_images(codes.select(1, 0), num_embeddings), options);
  if (!parent) return;
  nn::io::ImageOptions image_options;
  image_options.nrow = 10;
  nn::io::save_image_grid(dir + "/samples.png", decode_codes(codes, gen).cpu(), image_options);
}

Tensor PixelCNN::generate(int64_t n, const SampleOptions& options) {
  Tensor codes = sample(n, options);
  return parent ? decode_codes(codes, options.gen) : codes;
}

Tensor PixelCNN::decode_codes(const Tensor& codes, Generator* gen) {
  DGM_CHECK(parent, "vqvae PixelCNN::decode_codes: no parent VQ-VAE to decode with (train with --from)");
  NoGradGuard no_grad;
  // the codes -> get_quantized -> the parent's decoder -> pixels drawn from its logits
  Tensor indices = codes.select(1, 0).to(kInt64).to(parent->parameters().front().device());
  Tensor logits = parent->decoder->forward(parent->vq->get_quantized(indices));
  return parent->sample_from_logits(logits, gen);
}

}  // namespace dgm::models::vqvae
