// Seminar 7's progressive MicroStyleGAN generator.
//
//   MicroStyleGANGeneratorBlock(in, out): [bilinear x2 upsample] -> Conv2d(in, out, k, pad k // 2) -> InjectNoise
//     -> LeakyReLU(0.2) -> AdaIN(w)
//   MicroStyleGANGenerator: w = mapping(z); h = a learned constant (1, C_0, 4, 4) repeated over the batch;
//     stage s (resolution 4 * 2^s, s = 0..stages-1) runs two blocks: the first upsamples (not at stage 0) and maps
//     C_{s-1} -> C_s channels, the second keeps C_s; to_rgb[s] = tanh(Conv2d(C_s, image_channels, 1)).
//     At stage s with fade-in alpha in [0, 1] the image is
//       alpha * to_rgb[s](h_s) + (1 - alpha) * upsample_bilinear_x2(to_rgb[s-1](h_{s-1})),
//     so alpha = 0 is the previous stage's picture, upsampled, and alpha = 1 the new stage's. Images are in
//     [-1, 1] (a mix of two tanh outputs).
// Noise maps are drawn from the Generator given, block by block in order, so a fixed seed fixes every map.
#pragma once
#include <memory>
#include <vector>

#include "models/gan/stylegan_adain.h"
#include "models/gan/stylegan_mapping.h"
#include "models/gan/stylegan_noise.h"
#include "nn/modules/container.h"
#include "nn/modules/conv.h"

namespace dgm::models::gan {

class MicroStyleGANGeneratorBlock : public nn::Module {
 public:
  MicroStyleGANGeneratorBlock(int64_t in_channels, int64_t out_channels, int64_t w_dim, int64_t kernel_size,
                              bool use_upsample, double noise_init_std = 1.0);
  Tensor forward(const Tensor& x, const Tensor& w, Generator* gen);
  std::string name() const override { return "MicroStyleGANGeneratorBlock"; }

  bool use_upsample;
  std::shared_ptr<nn::Conv2d> conv;
  std::shared_ptr<InjectNoise> inject_noise;
  std::shared_ptr<AdaIN> adain;
};

struct MicroStyleGANGeneratorOptions {
  int64_t z_dim = 128;
  int64_t map_hidden_dim = 256;
  int64_t w_dim = 256;
  std::vector<int64_t> channels = {256, 256, 256, 256};  // C_s per stage: resolutions 4, 8, 16, 32
  int64_t image_channels = 3;
  int64_t kernel_size = 3;
  double noise_init_std = 1.0;  // InjectNoise's initial weights: N(0, std^2) (the seminar: 1)
};

class MicroStyleGANGenerator : public nn::Module {
 public:
  explicit MicroStyleGANGenerator(MicroStyleGANGeneratorOptions options);
  // Images (B, image_channels, 4 * 2^stage, same) in [-1, 1] from w (B, w_dim).
  Tensor synthesize(const Tensor& w, int64_t stage, double alpha, Generator* gen = nullptr);
  // synthesize(mapping(z), ...).
  Tensor forward(const Tensor& z, int64_t stage, double alpha, Generator* gen = nullptr);
  std::string name() const override { return "MicroStyleGANGenerator"; }

  int64_t stages() const { return static_cast<int64_t>(options_.channels.size()); }
  int64_t resolution(int64_t stage) const { return int64_t{4} << stage; }
  const MicroStyleGANGeneratorOptions& options() const { return options_; }

  std::shared_ptr<MappingLayers> mapping;
  Tensor starting_constant;
  std::shared_ptr<nn::ModuleList> blocks;  // 2 per stage
  std::shared_ptr<nn::ModuleList> to_rgb;  // 1 per stage

 private:
  Tensor rgb(int64_t stage, const Tensor& h);
  MicroStyleGANGeneratorOptions options_;
};

}  // namespace dgm::models::gan
