// The convolutional encoder and decoder of the course's VQ-VAE on 28x28 MNIST
// (homework 3 task 2), with c = channels (32 in the course's model):
//
//   ConvEncoder  x (B,1,28,28) -conv 4x4 s2-> c x14x14 -ReLU -conv 4x4 s2-> 2c x7x7 -ReLU
//                -conv 3x3-> z_e (B,latent_dim,7,7)      (no ReLU: codes take both signs)
//   ConvDecoder  z_q (B,latent_dim,7,7) -conv 3x3-> 2c x7x7 -ReLU -convT 4x4 s2-> c x14x14 -ReLU
//                -convT 4x4 s2-> logits (B,2,28,28)      (2 classes: pixel off / on)
#pragma once
#include <memory>

#include "nn/modules/container.h"

namespace dgm::models::vqvae {

class ConvEncoder : public nn::Module {
 public:
  explicit ConvEncoder(int64_t latent_dim = 16, int64_t channels = 32);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "ConvEncoder"; }

  int64_t latent_dim, channels;
  std::shared_ptr<nn::Sequential> net;
};

class ConvDecoder : public nn::Module {
 public:
  explicit ConvDecoder(int64_t latent_dim = 16, int64_t channels = 32);
  Tensor forward(const Tensor& z) override;
  std::string name() const override { return "ConvDecoder"; }

  int64_t latent_dim, channels;
  std::shared_ptr<nn::Sequential> net;
};

}  // namespace dgm::models::vqvae
