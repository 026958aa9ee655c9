#include "models/gan/stylegan.h"

#include <sstream>

#include "autograd/grad_mode.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/reduction.h"
#include "autograd/ops/shape_ops.h"
#include "models/gan/penalties.h"
#include "models/gan/stylegan_truncation.h"
#include "models/train/optimizers.h"
#include "nn/functional/pooling.h"
#include "nn/functional/upsample.h"
#include "nn/io/image_grid.h"
#include "tensor/error.h"
#include "tensor/factories.h"
#include "tensor/shape.h"

namespace dgm::models::gan {

StyleGAN::StyleGAN(StyleGANOptions options) : options_(std::move(options)) {
  const auto& o = options_;
  DGM_CHECK(o.discriminator_channels.size() == o.generator.channels.size(),
            "StyleGAN: the generator and the discriminator need the same number of stages, got ",
            o.generator.channels.size(), " and ", o.discriminator_channels.size());
  DGM_CHECK(o.schedule.stages == static_cast<int64_t>(o.generator.channels.size()), "StyleGAN: the schedule has ",
            o.schedule.stages, " stages, the networks ", o.generator.channels.size());
  DGM_CHECK(o.gamma >= 0 && o.critic_steps >= 1 && o.w_mean_draws >= 1,
            "StyleGAN: expected gamma >= 0, critic_steps >= 1 and w_mean_draws >= 1, got ", o.gamma, ", ",
            o.critic_steps, ", ", o.w_mean_draws);
  generator = register_module("generator", std::make_shared<MicroStyleGANGenerator>(o.generator));
  discriminator = register_module("discriminator", std::make_shared<MicroStyleGANDiscriminator>(
                                                       o.discriminator_channels, o.generator.image_channels));
  step_ = register_buffer("step", zeros({}, kInt64));
}

std::string StyleGAN::extra_repr() const {
  std::ostringstream s;
  s << "gamma=" << options_.gamma << ", critic_steps=" << options_.critic_steps
    << ", stage_steps=" << options_.schedule.stage_steps << ", fade_steps=" << options_.schedule.fade_steps;
  return s.str();
}

std::map<std::string, std::vector<Tensor>> StyleGAN::optimizer_groups() {
  return {{"generator", generator->parameters()}, {"discriminator", discriminator->parameters()}};
}

int64_t StyleGAN::step() const { return step_.item<int64_t>(); }

int64_t StyleGAN::final_resolution() const { return generator->resolution(generator->stages() - 1); }

Tensor StyleGAN::real_at(const Tensor& x, int64_t stage) const {
  const int64_t res = final_resolution();
  DGM_CHECK(x.dim() == 4 && x.size(1) == options_.generator.image_channels && x.size(2) == res && x.size(3) == res,
            "StyleGAN: expected real images (B, ", options_.generator.image_channels, ", ", res, ", ", res, "), got ",
            shape_str(x.shape()));
  const int64_t kernel = res / generator->resolution(stage);
  return kernel == 1 ? x : avg_pool2d(x, kernel);
}

Tensor StyleGAN::draw_z(int64_t n, const Tensor& like, Generator* gen) const {
  return randn({n, options_.generator.z_dim}, TensorOptions(like.dtype()).device(like.device()), gen);
}

Tensor StyleGAN::discriminator_loss(const Tensor& real, const Tensor& fake, const Progress& p, Tensor* r1) {
  auto critic = [this, p](const Tensor& x) { return discriminator->forward(x, p.stage, p.alpha); };
  Tensor adversarial = softplus(-critic(real)).mean() + softplus(critic(fake)).mean();
  {
    AutoGradMode grad_on(true);  // the penalty differentiates D even while evaluating without a graph
    *r1 = r1_penalty(critic, real);
  }
  if (!GradMode::is_enabled()) *r1 = r1->detach();
  return adversarial + (options_.gamma / 2) * *r1;
}

Losses StyleGAN::loss(const Batch& batch) {
  const Progress p = progress();
  Tensor real = real_at(batch.x, p.stage);
  Tensor fake = generator->forward(draw_z(batch.size(), real, nullptr), p.stage, p.alpha);
  Tensor r1;
  Tensor d_loss = discriminator_loss(real, fake, p, &r1);  // logged only: train_step detaches the fake
  Tensor g_loss = softplus(-discriminator->forward(fake, p.stage, p.alpha)).mean();
  const auto opts = TensorOptions(real.dtype()).device(real.device());
  return {{"discriminator_loss", d_loss},
          {"generator_loss", g_loss},
          {"r1", r1},
          {"resolution", full({}, static_cast<double>(p.resolution()), opts)},
          {"alpha", full({}, p.alpha, opts)}};
}

Losses StyleGAN::train_step(const Batch& batch, train::Optimizers& optimizers) {
  const Progress p = progress();
  Tensor real = real_at(batch.x, p.stage);
  const int64_t n = batch.size();

  optimizers.zero_grad("discriminator");
  Tensor fake;
  {
    NoGradGuard no_grad;
    fake = generator->forward(draw_z(n, real, nullptr), p.stage, p.alpha);
  }
  Tensor r1;
  Tensor d_loss = discriminator_loss(real, fake, p, &r1);
  d_loss.backward();
  optimizers.step("discriminator");

  const auto opts = TensorOptions(real.dtype()).device(real.device());
  Losses out{{"discriminator_loss", d_loss.detach()},
             {"r1", r1.detach()},
             {"resolution", full({}, static_cast<double>(p.resolution()), opts)},
             {"alpha", full({}, p.alpha, opts)}};
  const int64_t call = step() + 1;
  {
    NoGradGuard no_grad;
    step_.fill_(static_cast<double>(call));
  }
  if (call % options_.critic_steps == 0) {
    optimizers.zero_grad("generator");
    Tensor g_loss = softplus(-discriminator->forward(generator->forward(draw_z(n, real, nullptr), p.stage, p.alpha),
                                                     p.stage, p.alpha))
                        .mean();
    g_loss.backward();
    optimizers.step("generator");
    out["generator_loss"] = g_loss.detach();
  }
  return out;
}

Tensor StyleGAN::images_from_w(const Tensor& w, Generator* gen) {
  const Progress p = progress();
  Tensor images = generator->synthesize(w, p.stage, p.alpha, gen);
  const int64_t res = final_resolution();
  if (images.size(2) != res) images = upsample_bilinear2d(images, Int2{res, res}, false);
  return ((images + 1.0) / 2.0).clamp(0.0, 1.0);
}

Tensor StyleGAN::sample(int64_t n, const SampleOptions& options) {
  DGM_CHECK(n >= 0, "StyleGAN::sample: n must be >= 0, got ", n);
  return images_from_w(generator->mapping->forward(draw_z(n, generator->starting_constant, options.gen)), options.gen);
}

Tensor StyleGAN::w_mean(Generator* gen) {
  NoGradGuard no_grad;
  return generator->mapping->forward(draw_z(options_.w_mean_draws, generator->starting_constant, gen))
      .mean(std::vector<int64_t>{0});
}

Tensor StyleGAN::generate_truncated(int64_t n, double psi, Generator* gen, double z_bound) {
  const Tensor& like = generator->starting_constant;
  Tensor z = z_bound > 0 ? truncated_normal({n, options_.generator.z_dim}, z_bound, gen,
                                            TensorOptions(like.dtype()).device(like.device()))
                         : draw_z(n, like, gen);
  Tensor w = truncate_w(generator->mapping->forward(z), w_mean(gen), psi);
  return images_from_w(w, gen);
}

void StyleGAN::save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) {
  GenerativeModel::save_pictures(dir, test_batch, n_samples, gen);
  const Tensor& like = generator->starting_constant;
  const int64_t columns = 8;
  // truncation.png: the same z and the same noise maps at psi 0.5, 0.7 and 1.0 (one row each)
  Tensor z = draw_z(columns, like, gen);
  Tensor w = generator->mapping->forward(z);
  Tensor mean_w = w_mean(gen);
  std::vector<Tensor> rows;
  for (double psi : {0.5, 0.7, 1.0}) {
    Generator noise(1234);
    rows.push_back(images_from_w(truncate_w(w, mean_w, psi), &noise));
  }
  nn::io::ImageOptions grid;
  grid.nrow = columns;
  nn::io::save_image_grid(dir + "/truncation.png", cat(rows, 0), grid);
  // noise.png: row i holds z_i's w with `columns` fresh draws of the noise maps
  const int64_t n_rows = 4;
  Tensor w4 = w.narrow(0, 0, n_rows);
  std::vector<Tensor> draws;
  for (int64_t j = 0; j < columns; ++j) draws.push_back(images_from_w(w4, gen));
  Tensor grid_images = stack(draws, 1);  // (rows, columns, C, H, W)
  Shape s = grid_images.shape();
  nn::io::save_image_grid(dir + "/noise.png", grid_images.reshape({n_rows * columns, s[2], s[3], s[4]}), grid);
}

}  // namespace dgm::models::gan
