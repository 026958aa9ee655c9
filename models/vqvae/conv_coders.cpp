#include "models/vqvae/conv_coders.h"

#include "nn/modules/activation.h"
#include "nn/modules/conv.h"

namespace dgm::models::vqvae {

ConvEncoder::ConvEncoder(int64_t latent_dim_, int64_t channels_) : latent_dim(latent_dim_), channels(channels_) {
  DGM_CHECK(latent_dim > 0 && channels > 0, "ConvEncoder: latent_dim and channels must be positive, got ", latent_dim,
            " and ", channels);
  net = register_module("net", std::make_shared<nn::Sequential>());
  // BEGIN SOLUTION hw3.2/encoder
  const int64_t c = channels;
  net->push_back(std::make_shared<nn::Conv2d>(1, c, 4, 2, 1));  // 28 -> 14
  net->push_back(std::make_shared<nn::ReLU>());
  net->push_back(std::make_shared<nn::Conv2d>(c, 2 * c, 4, 2, 1));  // 14 -> 7
  net->push_back(std::make_shared<nn::ReLU>());
  net->push_back(std::make_shared<nn::Conv2d>(2 * c, latent_dim, 3, 1, 1));
  // END SOLUTION
}

Tensor ConvEncoder::forward(const Tensor& x) {
  DGM_CHECK(x.dim() == 4 && x.size(1) == 1 && x.size(2) == 28 && x.size(3) == 28,
            "ConvEncoder: expected images (B,1,28,28), got ", shape_str(x.shape()));
  return net->forward(x);
}

ConvDecoder::ConvDecoder(int64_t latent_dim_, int64_t channels_) : latent_dim(latent_dim_), channels(channels_) {
  DGM_CHECK(latent_dim > 0 && channels > 0, "ConvDecoder: latent_dim and channels must be positive, got ", latent_dim,
            " and ", channels);
  net = register_module("net", std::make_shared<nn::Sequential>());
  // BEGIN SOLUTION hw3.2/decoder
  const int64_t c = channels;
  net->push_back(std::make_shared<nn::Conv2d>(latent_dim, 2 * c, 3, 1, 1));
  net->push_back(std::make_shared<nn::ReLU>());
  net->push_back(std::make_shared<nn::ConvTranspose2d>(2 * c, c, 4, 2, 1));  // 7 -> 14
  net->push_back(std::make_shared<nn::ReLU>());
  net->push_back(std::make_shared<nn::ConvTranspose2d>(c, 2, 4, 2, 1));  // 14 -> 28, 2 classes
  // END SOLUTION
}

Tensor ConvDecoder::forward(const Tensor& z) {
  DGM_CHECK(z.dim() == 4 && z.size(1) == latent_dim, "ConvDecoder: expected codes (B,", latent_dim, ",H,W), got ",
            shape_str(z.shape()));
  return net->forward(z);
}

}  // namespace dgm::models::vqvae
