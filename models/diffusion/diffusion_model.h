// What a trained DDPM offers beyond GenerativeModel, so that samplers and guidance work on any of them (the 2-D
// DDPM of homework 5 task 2, the MNIST UNet of task 3): the noise predictor eps_theta(x_t, t, y), the schedule
// (with the model's clip range) and the shape of one example in model space.
#pragma once
#include "models/diffusion/diffusion_schedule.h"
#include "models/model.h"

namespace dgm::models::diffusion {

class DiffusionModel : public GenerativeModel {
 public:
  // eps_theta(x_t, t, y): x_t in model space (B, ...), t (B) int64; y (B) int64 labels, undefined for the
  // unconditional prediction.
  virtual Tensor predict_eps(const Tensor& x_t, const Tensor& t, const Tensor& y = {}) = 0;
  virtual const ReverseDiffusion& reverse_diffusion() const = 0;
  // One example in model space: {2} for points, {1, 32, 32} for MNIST.
  virtual Shape example_shape() const = 0;
  // Model space -> what generate() returns (images: clamp(x / 2 + 1 / 2, 0, 1)); identity by default.
  virtual Tensor to_output(const Tensor& x) const { return x; }
};

}  // namespace dgm::models::diffusion
