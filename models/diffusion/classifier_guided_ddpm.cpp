#include "models/diffusion/classifier_guided_ddpm.h"

#include <algorithm>
#include <utility>

#include "autograd/grad_mode.h"
#include "autograd/ops/shape_ops.h"
#include "models/diffusion/classifier_guidance.h"
#include "models/diffusion/samplers.h"
#include "nn/functional/loss.h"
#include "nn/io/image_grid.h"
#include "tensor/error.h"
#include "tensor/factories.h"

namespace dgm::models::diffusion {

namespace {

std::shared_ptr<DiffusionModel> checked_parent(std::shared_ptr<DiffusionModel> parent) {
  DGM_CHECK(parent, "ClassifierGuidedDDPM: needs a trained diffusion model (a DiffusionModel) as its parent");
  return parent;
}

Device device_of(nn::Module& m) {
  const std::vector<Tensor> params = m.parameters();
  return params.empty() ? Device(kCPU) : params.front().device();
}

}  // namespace

ClassifierGuidedDDPM::ClassifierGuidedDDPM(std::shared_ptr<DiffusionModel> parent_, int64_t width, int64_t classes,
                                           int64_t picture_steps_, double picture_gamma_)
    : parent(checked_parent(std::move(parent_))),
      forward_diffusion(parent->reverse_diffusion().num_timesteps),
      picture_steps(picture_steps_),
      picture_gamma(picture_gamma_) {
  const Shape shape = parent->example_shape();
  DGM_CHECK(shape.size() == 3 && shape[1] == 32 && shape[2] == 32,
            "ClassifierGuidedDDPM: the parent must model 32x32 images (C,32,32), its examples are ", shape_str(shape));
  DGM_CHECK(picture_steps >= 0 && picture_steps <= forward_diffusion.num_timesteps,
            "ClassifierGuidedDDPM: picture_steps must be in [0, T = ", forward_diffusion.num_timesteps, "], got ",
            picture_steps);
  DGM_CHECK(picture_gamma >= 0, "ClassifierGuidedDDPM: picture_gamma must be >= 0, got ", picture_gamma);
  classifier = register_module("classifier", std::make_shared<NoisyClassifier>(width, classes, shape[0]));
}

Tensor ClassifierGuidedDDPM::log_prob(const Tensor& x_t, const Tensor& t, const Tensor& y) {
  return log_prob_from_logits([this](const Tensor& x, const Tensor& s) { return classifier->logits(x, s); })(x_t, t, y);
}

Losses ClassifierGuidedDDPM::loss(const Batch& batch) {
  DGM_CHECK(batch.has_labels(), "ClassifierGuidedDDPM: the noisy classifier trains on labelled batches (x, y)");
  const Tensor& x0 = batch.x;
  DGM_CHECK(x0.dim() == 4 && batch.y.dim() == 1 && batch.y.size(0) == x0.size(0),
            "ClassifierGuidedDDPM: expected x (B, C, 32, 32) and y (B), got ", shape_str(x0.shape()), " and ",
            shape_str(batch.y.shape()));
  const Tensor t =
      randint(forward_diffusion.num_timesteps, {x0.size(0)}, TensorOptions().dtype(kInt64).device(x0.device()));
  // x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps
  const Tensor x_t = forward_diffusion.get_samples(x0, t);
  const Tensor logits = classifier->logits(x_t, t);
  const Tensor y = batch.y.to(logits.device());
  Losses out;
  // CE = -log p_phi(y | x_t, t), mean over the batch
  out["loss"] = nn::functional::cross_entropy(logits, y);
  out["accuracy"] = logits.detach().argmax(1).eq(y).to(kFloat32).mean();
  return out;
}

Tensor ClassifierGuidedDDPM::sample(int64_t n, const SampleOptions& options) {
  DGM_CHECK(n >= 1, "ClassifierGuidedDDPM::sample: n must be >= 1, got ", n);
  DGM_CHECK(options.labels.defined() && options.labels.dim() == 1 && options.labels.size(0) == n,
            "ClassifierGuidedDDPM::sample: classifier guidance needs labels (n = ", n, ") int64, got ",
            options.labels.defined() ? shape_str(options.labels.shape()) : std::string("none"));
  DGM_CHECK(options.guidance >= 0, "ClassifierGuidedDDPM::sample: the guidance scale must be >= 0, got ",
            options.guidance);
  const ReverseDiffusion& reverse = parent->reverse_diffusion();
  DGM_CHECK(options.steps >= 0 && options.steps <= reverse.num_timesteps, "ClassifierGuidedDDPM::sample: steps must ",
            "be in [0, T = ", reverse.num_timesteps, "] (0: DDPM on every timestep), got ", options.steps);
  const Device device = device_of(*parent);
  Shape shape{n};
  for (int64_t d : parent->example_shape()) shape.push_back(d);
  const Tensor x_T = randn(shape, kFloat32, options.gen).to(device);
  const EpsFn eps = [this](const Tensor& x_t, const Tensor& t) { return parent->predict_eps(x_t, t); };
  const LogProbFn lp = [this](const Tensor& x_t, const Tensor& t, const Tensor& y) { return log_prob(x_t, t, y); };
  const EpsFn guided = classifier_guided(reverse, eps, lp, options.labels.to(kInt64).to(device), options.guidance);
  const Tensor x0 = options.steps == 0 ? ddpm_sample_loop(reverse, guided, x_T, options.gen)
                                       : ddim_sample_loop(reverse, guided, x_T,
                                                          strided_timesteps(reverse.num_timesteps, options.steps), 0.0,
                                                          reverse.clip_range, options.gen);
  return parent->to_output(x0);
}

void ClassifierGuidedDDPM::save_pictures(const std::string& dir, const Batch& /*test_batch*/, int64_t n_samples,
                                         Generator* gen) {
  const int64_t classes = num_classes();
  const Device device = device_of(*parent);
  auto cycling = [&](int64_t n) {
    std::vector<int64_t> v(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = i % classes;
    return tensor(v).to(device);
  };
  nn::io::ImageOptions grid;
  grid.nrow = classes;
  SampleOptions o(gen);
  o.steps = picture_steps;
  if (n_samples > 0) {
    o.labels = cycling(n_samples);
    o.guidance = picture_gamma;
    nn::io::save_image_grid(dir + "/samples.png", sample(n_samples, o).clamp(0.0, 1.0), grid);
  }
  // guidance.png: the same x_T (a generator copy per row) for gamma 0, 1, 3, 5; a column per class (at most
  // n_samples of them when n_samples > 0)
  const int64_t columns = n_samples > 0 ? std::min(classes, n_samples) : classes;
  std::vector<Tensor> rows;
  o.labels = cycling(columns);
  const Generator start = gen ? *gen : Generator(0);
  for (double gamma : {0.0, 1.0, 3.0, 5.0}) {
    Generator row_gen = start;
    o.gen = &row_gen;
    o.guidance = gamma;
    rows.push_back(sample(columns, o).clamp(0.0, 1.0).cpu());
  }
  grid.nrow = columns;
  nn::io::save_image_grid(dir + "/guidance.png", cat(rows, 0), grid);
}

}  // namespace dgm::models::diffusion
