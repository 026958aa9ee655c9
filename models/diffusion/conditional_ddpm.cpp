#include "models/diffusion/conditional_ddpm.h"

#include <sstream>

#include "autograd/grad_mode.h"
#include "autograd/ops/elementwise.h"
#include "models/diffusion/samplers.h"
#include "nn/functional/loss.h"
#include "tensor/error.h"
#include "tensor/factories.h"
#include "tensor/random.h"

namespace dgm::models::diffusion {

ConditionalDDPM::ConditionalDDPM(int64_t num_timesteps_, std::shared_ptr<UNet> model_)
    : num_timesteps(num_timesteps_),
      model(std::move(model_)),
      conditional(model && model->num_labels > 0),
      forward_diffusion(num_timesteps_),
      reverse_(num_timesteps_, std::make_pair(-1.0, 1.0)) {
  DGM_CHECK(model, "ConditionalDDPM: expected a UNet");
  DGM_CHECK(model->num_timesteps == num_timesteps, "ConditionalDDPM: the UNet embeds ", model->num_timesteps,
            " timesteps, the diffusion has ", num_timesteps);
  register_module("model", model);
}

std::string ConditionalDDPM::extra_repr() const {
  std::ostringstream os;
  os << "T=" << num_timesteps << ", conditional=" << (conditional ? "True" : "False")
     << ", label_dropout=" << label_dropout << ", guidance=" << guidance_scale;
  return os.str();
}

std::vector<std::string> ConditionalDDPM::sample_options() const {
  if (conditional) return {"labels", "guidance", "steps"};
  return {"steps"};
}

Tensor ConditionalDDPM::predict_eps(const Tensor& x_t, const Tensor& t, const Tensor& y) {
  return model->forward(x_t, t, y);
}

Losses ConditionalDDPM::loss(const Batch& batch) {
  const Tensor& x0 = batch.x;
  DGM_CHECK(x0.defined() && x0.dim() == 4, "ConditionalDDPM: expected images (B, 1, H, W), got ",
            x0.defined() ? shape_str(x0.shape()) : std::string("nothing"));
  Tensor y;
  if (conditional) {
    DGM_CHECK(batch.has_labels(), "ConditionalDDPM: the conditional model trains on labelled batches");
    y = batch.y;
    if (label_dropout > 0 && is_training()) {
      // each label becomes "empty" (-1: cemb = 0) with probability label_dropout
      const Tensor drop = bernoulli(y.shape(), label_dropout, TensorOptions().device(y.device())).gt(0.5);
      y = where(drop, full_like(y, -1.0), y);
    }
  }
  const Tensor t = randint(0, num_timesteps, {x0.size(0)}, TensorOptions().dtype(kInt64).device(x0.device()));
  const Tensor noise = randn_like(x0);
  return {{"loss", loss(x0, y, t, noise)}};
}

Tensor ConditionalDDPM::loss(const Tensor& x0, const Tensor& y, const Tensor& t, const Tensor& noise) {
  DGM_CHECK(x0.defined() && x0.dim() == 4 && noise.defined() && noise.shape() == x0.shape(),
            "ConditionalDDPM: loss expects x0 (B, 1, H, W) and noise of its shape, got ",
            x0.defined() ? shape_str(x0.shape()) : std::string("nothing"), " and ",
            noise.defined() ? shape_str(noise.shape()) : std::string("nothing"));
  // BEGIN SOLUTION hw5.6/loss
  // x0 in [-1, 1]; x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps; L = mean (eps - eps_theta(x_t, t, y))^2
  const Tensor x = x0 * 2.0 - 1.0;
  const Tensor x_t = forward_diffusion.get_samples(x, t, noise);
  return mse_loss(predict_eps(x_t, t, y), noise);
  // END SOLUTION
}

Tensor ConditionalDDPM::guided_eps(const Tensor& x_t, const Tensor& t, const Tensor& y, double g) {
  // BEGIN SOLUTION hw5.6/guidance
  // eps^ = g eps(x_t, y) + (1 - g) eps(x_t, empty)
  const Tensor uncond = predict_eps(x_t, t);
  if (!y.defined()) return uncond;
  return predict_eps(x_t, t, y) * g + uncond * (1.0 - g);
  // END SOLUTION
}

Tensor ConditionalDDPM::to_output(const Tensor& x) const {
  // BEGIN SOLUTION hw5.6/output
  // clamp(x / 2 + 1 / 2, 0, 1)
  return (x * 0.5 + 0.5).clamp(0.0, 1.0);
  // END SOLUTION
}

Tensor ConditionalDDPM::sample(int64_t n, const SampleOptions& options) { return sample_with_steps(n, options, {}); }

Tensor ConditionalDDPM::sample_with_steps(int64_t n, const SampleOptions& options, const StepCallback& on_step) {
  DGM_CHECK(n > 0, "ConditionalDDPM: sample expects n > 0, got ", n);
  const Tensor& y = options.labels;
  if (y.defined()) {
    DGM_CHECK(conditional, "ConditionalDDPM: labels given to the unconditional model (train the fine-tune, ",
              "ddpm-mnist-cfg, for guided samples)");
    DGM_CHECK(y.dim() == 1 && y.size(0) == n && y.dtype() == kInt64, "ConditionalDDPM: expected labels (", n,
              ") int64, got ", shape_str(y.shape()));
  }
  DGM_CHECK(options.guidance == 0 || y.defined(), "ConditionalDDPM: guidance ", options.guidance,
            " needs labels to guide towards");
  DGM_CHECK(options.guidance >= 0, "ConditionalDDPM: guidance must be >= 0, got ", options.guidance);
  const double g = options.guidance > 0 ? options.guidance : guidance_scale;
  const int64_t steps = options.steps > 0 ? options.steps : default_steps;
  DGM_CHECK(steps >= 0 && steps <= num_timesteps, "ConditionalDDPM: steps must be in [1, ", num_timesteps, "], got ",
            steps);
  NoGradGuard no_grad;
  const Device device = model->head->weight.device();
  const Tensor labels = y.defined() ? y.to(device) : Tensor();
  Tensor x = randn({n, 1, image_size, image_size}, TensorOptions().device(device), options.gen);
  const EpsFn eps = [&](const Tensor& x_t, const Tensor& t) { return guided_eps(x_t, t, labels, g); };
  if (steps == 0 || steps == num_timesteps)
    x = ddpm_sample_loop(reverse_, eps, x, options.gen, on_step);
  else
    x = ddim_sample_loop(reverse_, eps, x, strided_timesteps(num_timesteps, steps), 0.0, reverse_.clip_range,
                         options.gen, on_step);
  return to_output(x);
}

}  // namespace dgm::models::diffusion
