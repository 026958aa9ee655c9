#include "models/gan/stylegan_discriminator.h"

#include "autograd/ops/elementwise.h"
#include "nn/functional/pooling.h"
#include "nn/modules/activation.h"
#include "nn/modules/linear.h"
#include "tensor/error.h"
#include "tensor/shape.h"

namespace dgm::models::gan {

MicroStyleGANDiscriminator::MicroStyleGANDiscriminator(std::vector<int64_t> channels, int64_t image_channels)
    : channels_(std::move(channels)), image_channels_(image_channels) {
  DGM_CHECK(!channels_.empty() && image_channels_ > 0, "MicroStyleGANDiscriminator: needs at least one stage and ",
            "image channels, got ", channels_.size(), " stages and ", image_channels_, " image channels");
  from_rgb = register_module("from_rgb", std::make_shared<nn::ModuleList>());
  blocks = register_module("blocks", std::make_shared<nn::ModuleList>());
  for (size_t s = 0; s < channels_.size(); ++s) {
    from_rgb->push_back(std::make_shared<nn::Conv2d>(image_channels_, channels_[s], 1));
    auto block = std::make_shared<nn::Sequential>();
    if (s > 0) {
      block->push_back(std::make_shared<nn::Conv2d>(channels_[s], channels_[s], 3, 1, 1));
      block->push_back(std::make_shared<nn::LeakyReLU>(0.2));
      block->push_back(std::make_shared<nn::Conv2d>(channels_[s], channels_[s - 1], 3, 1, 1));
      block->push_back(std::make_shared<nn::LeakyReLU>(0.2));
    }
    blocks->push_back(block);
  }
  final_conv = register_module("final_conv", std::make_shared<nn::Conv2d>(channels_[0], channels_[0], 4));
  linear = register_module("linear", std::make_shared<nn::Linear>(channels_[0], 1));
}

Tensor MicroStyleGANDiscriminator::read_rgb(int64_t stage, const Tensor& x) {
  return leaky_relu(from_rgb->at<nn::Conv2d>(stage)->forward(x), 0.2);
}

Tensor MicroStyleGANDiscriminator::forward(const Tensor& x, int64_t stage, double alpha) {
  DGM_CHECK(stage >= 0 && stage < stages(), "MicroStyleGANDiscriminator: stage ", stage, " is not in [0, ", stages(),
            ")");
  DGM_CHECK(alpha >= 0 && alpha <= 1, "MicroStyleGANDiscriminator: the fade-in alpha must be in [0, 1], got ", alpha);
  const int64_t res = int64_t{4} << stage;
  DGM_CHECK(x.dim() == 4 && x.size(1) == image_channels_ && x.size(2) == res && x.size(3) == res,
            "MicroStyleGANDiscriminator: stage ", stage, " expects images (B, ", image_channels_, ", ", res, ", ", res,
            "), got ", shape_str(x.shape()));
  Tensor h = read_rgb(stage, x);
  for (int64_t s = stage; s >= 1; --s) {
    h = avg_pool2d(blocks->at<nn::Sequential>(s)->forward(h), 2);
    if (s == stage && alpha < 1) h = alpha * h + (1 - alpha) * read_rgb(stage - 1, avg_pool2d(x, 2));
  }
  h = leaky_relu(final_conv->forward(h), 0.2);
  return linear->forward(h.flatten(1));
}

}  // namespace dgm::models::gan
