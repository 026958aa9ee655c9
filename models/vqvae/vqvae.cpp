#include "models/vqvae/vqvae.h"

#include "autograd/grad_mode.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/index_ops.h"
#include "autograd/ops/reduction.h"
#include "autograd/ops/shape_ops.h"
#include "nn/functional/loss.h"
#include "nn/functional/softmax.h"
#include "nn/io/image_grid.h"

namespace dgm::models::vqvae {

namespace {

// binarized images (B,1,H,W) -> the pixel classes (B,H,W) int64
Tensor pixel_classes(const Tensor& x) { return x.select(1, 0).round().to(kInt64); }

}  // namespace

VQVAEModel::VQVAEModel(double scale, int64_t D, int64_t K, std::pair<int64_t, int64_t> size, int64_t channels,
                       double beta)
    : ce_loss_scale(scale), latent_dim(D), num_embeddings(K), latent_size(size) {
  DGM_CHECK(size.first == 7 && size.second == 7, "VQVAEModel: the 28x28 encoder gives 7x7 codes, got latent_size (",
            size.first, ",", size.second, ")");
  encoder = register_module("encoder", std::make_shared<ConvEncoder>(D, channels));
  vq = register_module("vq", std::make_shared<VectorQuantizer>(K, D, beta));
  decoder = register_module("decoder", std::make_shared<ConvDecoder>(D, channels));
}

std::string VQVAEModel::extra_repr() const {
  return "ce_loss_scale=" + std::to_string(ce_loss_scale) + ", latent_dim=" + std::to_string(latent_dim) +
         ", num_embeddings=" + std::to_string(num_embeddings);
}

std::pair<Tensor, Tensor> VQVAEModel::forward_with_loss(const Tensor& x) {
  // BEGIN SOLUTION hw3.3/forward
  auto [quantized, vq_loss] = vq->forward_with_loss(encoder->forward(x));
  return {decoder->forward(quantized), vq_loss};
  // END SOLUTION
}

Losses VQVAEModel::course_loss(const Tensor& x, const Tensor& decoded, const Tensor& vq_loss) const {
  // BEGIN SOLUTION hw3.3/loss
  // cross-entropy of the 2-class logits against the pixels, mean over pixels
  Tensor ce_loss = nn::functional::cross_entropy(decoded, pixel_classes(x));
  return {{"total_loss", ce_loss_scale * ce_loss + vq_loss}, {"ce_loss", ce_loss}, {"vq_loss", vq_loss}};
  // END SOLUTION
}

Losses VQVAEModel::loss(const Batch& batch) {
  const Tensor& x = batch.x;
  DGM_CHECK(x.dim() == 4 && x.size(1) == 1, "VQVAEModel::loss: expected images (B,1,28,28), got ",
            shape_str(x.shape()));
  vq->clear_last_indices();  // so the perplexity never reads the codes of an earlier batch
  auto [decoded, vq_loss] = forward_with_loss(x);
  Losses out = course_loss(x, decoded, vq_loss);
  NoGradGuard no_grad;
  // the codes of this batch: kept by VectorQuantizer::forward_with_loss, or found again if forward did not call it
  Tensor codes = vq->last_indices().defined() ? vq->last_indices() : get_indices(x);
  // share of pixels whose most likely class is not the pixel
  out["pixel_error"] = decoded.argmax(1).ne(pixel_classes(x)).to(kFloat32).mean();
  out["perplexity"] = perplexity(codes, num_embeddings);
  return out;
}

Tensor VQVAEModel::perplexity(const Tensor& indices, int64_t K) {
  NoGradGuard no_grad;
  // p_k = share of positions using code k; perplexity = exp(-sum_k p_k log p_k) (0 log 0 = 0)
  Tensor p = one_hot(indices.reshape({-1}), K).to(kFloat32).mean({0});
  Tensor plogp = where(p.gt(0.0), p * log(p.clamp(1e-30, 1.0)), 0.0);
  return exp(-plogp.sum());
}

Tensor VQVAEModel::get_indices(const Tensor& x) {
  // BEGIN SOLUTION hw3.3/indices
  return vq->get_code_indices(encoder->forward(x));
  // END SOLUTION
}

Tensor VQVAEModel::prior(int64_t n, Generator* gen) {
  // BEGIN SOLUTION hw3.3/prior
  const Device device = parameters().front().device();
  Tensor indices =
      randint(num_embeddings, {n, latent_size.first, latent_size.second}, TensorOptions(kInt64).device(device), gen);
  return vq->get_quantized(indices);
  // END SOLUTION
}

Tensor VQVAEModel::sample_from_logits(const Tensor& logits, Generator* gen) const {
  DGM_CHECK(logits.dim() == 4, "VQVAEModel::sample_from_logits: expected logits (B,C,H,W), got ",
            shape_str(logits.shape()));
  // BEGIN SOLUTION hw3.3/sample_from_logits
  const int64_t B = logits.size(0), C = logits.size(1), H = logits.size(2), W = logits.size(3);
  Tensor probs = softmax(logits, 1).permute({0, 2, 3, 1}).reshape({B * H * W, C});
  return multinomial(probs, 1, true, gen).view({B, 1, H, W}).to(logits.dtype());
  // END SOLUTION
}

Tensor VQVAEModel::sample(int64_t n, const SampleOptions& options) {
  // BEGIN SOLUTION hw3.3/sample
  NoGradGuard no_grad;
  return sample_from_logits(decoder->forward(prior(n, options.gen)), options.gen);
  // END SOLUTION
}

Tensor VQVAEModel::decode_indices(const Tensor& indices) {
  NoGradGuard no_grad;
  return softmax(decoder->forward(vq->get_quantized(indices)), 1).narrow(1, 1, 1);
}

void VQVAEModel::save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) {
  GenerativeModel::save_pictures(dir, test_batch, n_samples, gen);
  NoGradGuard no_grad;
  // 5 rows of 10 originals, each followed by a row of their reconstructions
  const int64_t n = std::min<int64_t>(50, test_batch.size());
  Tensor x = test_batch.x.narrow(0, 0, n);
  Tensor indices = get_indices(x);
  Tensor r = decode_indices(indices).to(x.dtype());
  std::vector<Tensor> rows;
  for (int64_t i = 0; i < n; i += 10) {
    const int64_t m = std::min<int64_t>(10, n - i);
    rows.push_back(x.narrow(0, i, m));
    rows.push_back(r.narrow(0, i, m));
  }
  nn::io::ImageOptions options;
  options.nrow = 10;
  nn::io::save_image_grid(dir + "/reconstructions.png", cat(rows, 0), options);
  // code maps of up to 100 test images as gray images, index / (K - 1)
  const int64_t m = std::min<int64_t>(100, test_batch.size());
  nn::io::save_image_grid(dir + "/codes.png", code_images(get_indices(test_batch.x.narrow(0, 0, m)), num_embeddings),
                          options);
}

Tensor VQVAEModel::code_images(const Tensor& indices, int64_t K) {
  const int64_t n = indices.size(0), H = indices.size(1), W = indices.size(2);
  Tensor gray = indices.cpu().to(kFloat32) / static_cast<double>(std::max<int64_t>(K - 1, 1));
  return gray.view({n, 1, H, 1, W, 1}).expand({n, 1, H, 4, W, 4}).reshape({n, 1, 4 * H, 4 * W});
}

}  // namespace dgm::models::vqvae
