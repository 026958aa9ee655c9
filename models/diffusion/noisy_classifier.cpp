#include "models/diffusion/noisy_classifier.h"

#include <cmath>

#include "autograd/ops/elementwise.h"
#include "autograd/ops/shape_ops.h"
#include "tensor/error.h"
#include "tensor/factories.h"

namespace dgm::models::diffusion {

namespace {

// (B, C) -> (B, C, 1, 1), broadcast over the pixels
Tensor per_channel(const Tensor& v) { return v.unsqueeze(2).unsqueeze(3); }

int64_t groups_for(int64_t channels) { return channels % 8 == 0 ? 8 : 1; }

}  // namespace

Tensor sinusoidal_timestep_features(const Tensor& t, int64_t dim) {
  DGM_CHECK(t.defined() && t.dim() == 1 && t.dtype() == kInt64, "sinusoidal_timestep_features: expected t (B) int64");
  DGM_CHECK(dim >= 2 && dim % 2 == 0, "sinusoidal_timestep_features: dim must be even and >= 2, got ", dim);
  const int64_t half = dim / 2;
  std::vector<float> w(static_cast<size_t>(half));
  // w_i = 10000^(-i / half)
  for (int64_t i = 0; i < half; ++i)
    w[static_cast<size_t>(i)] = static_cast<float>(std::pow(10000.0, -static_cast<double>(i) / half));
  const Tensor angles = t.to(kFloat32).unsqueeze(1) * tensor(w, {1, half}).to(t.device());
  return cat({angles.sin(), angles.cos()}, 1);
}

NoisyClassifier::NoisyClassifier(int64_t width_, int64_t classes_, int64_t in_channels_)
    : width(width_), classes(classes_), in_channels(in_channels_) {
  DGM_CHECK(width >= 2 && width % 2 == 0 && classes >= 2 && in_channels >= 1,
            "NoisyClassifier: expected an even width >= 2, classes >= 2 and in_channels >= 1, got width ", width,
            ", classes ", classes, ", in_channels ", in_channels);
  time1 = register_module("time1", std::make_shared<nn::Linear>(width, width));
  time2 = register_module("time2", std::make_shared<nn::Linear>(width, width));
  proj1 = register_module("proj1", std::make_shared<nn::Linear>(width, width));
  proj2 = register_module("proj2", std::make_shared<nn::Linear>(width, 2 * width));
  conv1 = register_module("conv1", std::make_shared<nn::Conv2d>(in_channels, width, 3, 1, 1));
  conv2 = register_module("conv2", std::make_shared<nn::Conv2d>(width, 2 * width, 3, 2, 1));
  conv3 = register_module("conv3", std::make_shared<nn::Conv2d>(2 * width, 2 * width, 3, 2, 1));
  conv4 = register_module("conv4", std::make_shared<nn::Conv2d>(2 * width, 4 * width, 3, 2, 1));
  norm1 = register_module("norm1", std::make_shared<nn::GroupNorm>(groups_for(width), width));
  norm2 = register_module("norm2", std::make_shared<nn::GroupNorm>(groups_for(2 * width), 2 * width));
  norm3 = register_module("norm3", std::make_shared<nn::GroupNorm>(groups_for(2 * width), 2 * width));
  norm4 = register_module("norm4", std::make_shared<nn::GroupNorm>(groups_for(4 * width), 4 * width));
  head = register_module("head", std::make_shared<nn::Linear>(4 * width, classes));
}

std::string NoisyClassifier::extra_repr() const {
  return "width=" + std::to_string(width) + ", classes=" + std::to_string(classes) +
         ", in_channels=" + std::to_string(in_channels);
}

Tensor NoisyClassifier::logits(const Tensor& x, const Tensor& t) {
  DGM_CHECK(x.defined() && x.dim() == 4 && x.size(1) == in_channels && x.size(2) == 32 && x.size(3) == 32,
            "NoisyClassifier: expected x_t (B, ", in_channels, ", 32, 32), got ",
            x.defined() ? shape_str(x.shape()) : std::string("nothing"));
  DGM_CHECK(t.defined() && t.dim() == 1 && t.size(0) == x.size(0),
            "NoisyClassifier: expected one timestep per example of x_t ", shape_str(x.shape()), ", got ",
            t.defined() ? shape_str(t.shape()) : std::string("nothing"));
  const Tensor temb = time2->forward(dgm::silu(time1->forward(sinusoidal_timestep_features(t, width))));
  Tensor h = dgm::silu(norm1->forward(conv1->forward(x))) + per_channel(proj1->forward(temb));
  h = dgm::silu(norm2->forward(conv2->forward(h))) + per_channel(proj2->forward(temb));
  h = dgm::silu(norm3->forward(conv3->forward(h)));
  h = dgm::silu(norm4->forward(conv4->forward(h)));
  return head->forward(h.mean({2, 3}));
}

}  // namespace dgm::models::diffusion
