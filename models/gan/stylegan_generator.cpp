#include "models/gan/stylegan_generator.h"

#include <cmath>

#include "autograd/ops/elementwise.h"
#include "nn/functional/upsample.h"
#include "tensor/error.h"
#include "tensor/shape.h"

namespace dgm::models::gan {

MicroStyleGANGeneratorBlock::MicroStyleGANGeneratorBlock(int64_t in_channels, int64_t out_channels, int64_t w_dim,
                                                         int64_t kernel_size, bool use_upsample_, double noise_init_std)
    : use_upsample(use_upsample_) {
  DGM_CHECK(kernel_size > 0 && kernel_size % 2 == 1, "MicroStyleGANGeneratorBlock: the kernel size must be odd, got ",
            kernel_size);
  conv =
      register_module("conv", std::make_shared<nn::Conv2d>(in_channels, out_channels, kernel_size, 1, kernel_size / 2));
  inject_noise = register_module("inject_noise", std::make_shared<InjectNoise>(out_channels, noise_init_std));
  adain = register_module("adain", std::make_shared<AdaIN>(out_channels, w_dim));
}

Tensor MicroStyleGANGeneratorBlock::forward(const Tensor& x, const Tensor& w, Generator* gen) {
  Tensor h = use_upsample ? upsample_bilinear2d(x, std::nullopt, false, Scale2(2.0)) : x;
  h = conv->forward(h);
  h = inject_noise->forward(h, gen);
  h = leaky_relu(h, 0.2);
  return adain->forward(h, w);
}

MicroStyleGANGenerator::MicroStyleGANGenerator(MicroStyleGANGeneratorOptions options) : options_(std::move(options)) {
  const auto& o = options_;
  DGM_CHECK(!o.channels.empty() && o.image_channels > 0, "MicroStyleGANGenerator: needs at least one stage and ",
            "image channels, got ", o.channels.size(), " stages and ", o.image_channels, " image channels");
  mapping = register_module("mapping", std::make_shared<MappingLayers>(o.z_dim, o.map_hidden_dim, o.w_dim));
  starting_constant = register_parameter("starting_constant", randn({1, o.channels[0], 4, 4}));
  blocks = register_module("blocks", std::make_shared<nn::ModuleList>());
  to_rgb = register_module("to_rgb", std::make_shared<nn::ModuleList>());
  for (size_t s = 0; s < o.channels.size(); ++s) {
    const int64_t in = s == 0 ? o.channels[0] : o.channels[s - 1];
    blocks->push_back(std::make_shared<MicroStyleGANGeneratorBlock>(in, o.channels[s], o.w_dim, o.kernel_size,
                                                                    /*upsample=*/s > 0, o.noise_init_std));
    blocks->push_back(std::make_shared<MicroStyleGANGeneratorBlock>(
        o.channels[s], o.channels[s], o.w_dim, o.kernel_size, /*upsample=*/false, o.noise_init_std));
    to_rgb->push_back(std::make_shared<nn::Conv2d>(o.channels[s], o.image_channels, 1));
  }
}

Tensor MicroStyleGANGenerator::rgb(int64_t stage, const Tensor& h) {
  return tanh(to_rgb->at<nn::Conv2d>(stage)->forward(h));
}

Tensor MicroStyleGANGenerator::synthesize(const Tensor& w, int64_t stage, double alpha, Generator* gen) {
  DGM_CHECK(stage >= 0 && stage < stages(), "MicroStyleGANGenerator: stage ", stage, " is not in [0, ", stages(), ")");
  DGM_CHECK(alpha >= 0 && alpha <= 1, "MicroStyleGANGenerator: the fade-in alpha must be in [0, 1], got ", alpha);
  DGM_CHECK(w.dim() == 2 && w.size(1) == options_.w_dim, "MicroStyleGANGenerator: expected w (B, ", options_.w_dim,
            "), got ", shape_str(w.shape()));
  const int64_t b = w.size(0);
  Tensor h = starting_constant.expand({b, options_.channels[0], 4, 4});
  Tensor previous;
  for (int64_t s = 0; s <= stage; ++s) {
    if (s == stage && s > 0 && alpha < 1) previous = h;
    h = blocks->at<MicroStyleGANGeneratorBlock>(2 * s)->forward(h, w, gen);
    h = blocks->at<MicroStyleGANGeneratorBlock>(2 * s + 1)->forward(h, w, gen);
  }
  Tensor image = rgb(stage, h);
  if (!previous.defined()) return image;
  // Fade-in: the previous stage's picture, upsampled bilinearly, blended with the new stage's.
  Tensor skip = upsample_bilinear2d(rgb(stage - 1, previous), std::nullopt, false, Scale2(2.0));
  return alpha * image + (1 - alpha) * skip;
}

Tensor MicroStyleGANGenerator::forward(const Tensor& z, int64_t stage, double alpha, Generator* gen) {
  return synthesize(mapping->forward(z), stage, alpha, gen);
}

}  // namespace dgm::models::gan
