#include "bench/twins/twin_cases.h"

#include <algorithm>
#include <cmath>

#include "autograd/grad_mode.h"
#include "models/flows/autoregressive_flow.h"
#include "models/flows/realnvp.h"
#include "models/gan/wgan.h"
#include "models/vae/resnet_vae.h"
#include "models/vqvae/vqvae.h"
#include "tensor/factories.h"

namespace dgm::twins {

namespace {

using models::flows::AutoregressiveFlow;
using models::flows::AutoregressiveFlowOptions;

// The config the MAF twin reads, from the options (one source for both).
std::string maf_config(const AutoregressiveFlowOptions& o) {
  auto list = [](const std::vector<int64_t>& v) {
    std::string s;
    for (int64_t x : v) s += (s.empty() ? "" : ", ") + std::to_string(x);
    return "[" + s + "]";
  };
  return "{\"dim\": " + std::to_string(o.dim) + ", \"layers\": " + std::to_string(o.layers) +
         ", \"hidden\": " + list(o.hidden) + ", \"log_sigma_bound\": " + std::to_string(o.log_sigma_bound) +
         ", \"image_shape\": " + list(o.image_shape) + ", \"logit_alpha\": " + std::to_string(o.logit_alpha) + "}";
}

// MAF on 2-D points: loss = mean -log p(x).
TwinCase maf_points_case() {
  AutoregressiveFlowOptions o;
  o.dim = 2;
  o.layers = 4;
  o.hidden = {32, 32};
  return {"maf_points", "maf", maf_config(o), [o](Generator& gen) {
            auto model = std::make_shared<AutoregressiveFlow>(o);
            Tensor x = randn({64, 2}, &gen) * 1.5;
            return TwinExport{model, {{"x", x}}, [model, x] { return model->loss(x).at("loss"); }};
          }};
}

// MAF on dequantized 256-level 1x6x6 images with the logit preprocessing:
// loss = mean -log p((pixels + noise) / 256), the noise an input.
TwinCase maf_images_case() {
  AutoregressiveFlowOptions o;
  o.dim = 36;
  o.layers = 3;
  o.hidden = {64};
  o.image_shape = {1, 6, 6};
  o.logit_alpha = 0.05;
  return {"maf_dequantized_images", "maf", maf_config(o), [o](Generator& gen) {
            auto model = std::make_shared<AutoregressiveFlow>(o);
            Tensor pixels = randint(0, 256, {32, 1, 6, 6}, kInt64, &gen).to(kFloat32);
            Tensor noise = rand({32, 1, 6, 6}, &gen);
            return TwinExport{model, {{"pixels", pixels}, {"noise", noise}}, [model, pixels, noise] {
                                return model->dequantized_nll(pixels, noise);
                              }};
          }};
}

// RealNVP as homework 2 trains it (nbins = 2) on 8x8 binary images: loss = -mean log p((x + u) / 2), the
// dequantization noise u an input. The ActNorms are initialized on the batch first (their data-dependent
// start), and every coupling's scale and scale_shift (zero at the start, which would make the couplings pure
// shifts) drawn from U(-0.8, 0.8), so the twin sees every term of the log-det.
TwinCase realnvp_case() {
  const std::string config =
      R"({"shape": [8, 8], "channels": 1, "n_filters": 8, "n_blocks": 2, "nbins": 2, "n_couplings": 4})";
  return {"realnvp_binary_images", "realnvp", config, [](Generator& gen) {
            auto model = std::make_shared<models::flows::RealNVP>(std::vector<int64_t>{8, 8}, 1, 8, 2, 2, 4);
            Tensor x = bernoulli({16, 1, 8, 8}, 0.3, {}, &gen);
            Tensor noise = rand({16, 1, 8, 8}, &gen);
            {
              NoGradGuard no_grad;
              model->log_prob(x, noise);
              for (auto& [name, p] : model->named_parameters())
                if (name.find("scale") != std::string::npos) p.uniform_(-0.8, 0.8, &gen);
            }
            return TwinExport{
                model, {{"x", x}, {"noise", noise}}, [model, x, noise] { return -model->log_prob(x, noise).mean(); }};
          }};
}

// Homework 2's ResNet VAE on 3x12x12 images in [-1, 1] (one width, 6; 4 latents; beta 0.5): loss =
// elbo_loss = recon + beta KL for a fixed eps (an input), BatchNorm in training mode (batch statistics). The
// batch norms' affine parameters are drawn from U(0.5, 1.5) (they start at 1 and 0). The export writes the
// buffers after the loss, so the loss puts the running statistics back to their start, which the twin's fresh
// BatchNorms hold (the twin checks the batch-statistics path, not the running update). One width: with two,
// the first decoder block's conv biases are per-channel constants that the next block's bn1 removes, so their
// exact gradients are 0 and both sides hold only rounding noise, which a relative criterion cannot compare.
TwinCase resnet_vae_case() {
  const std::string config = R"({"shape": [3, 12, 12], "n_latent": 4, "beta": 0.5, "channels": [6]})";
  return {"resnet_vae", "resnet_vae", config, [](Generator& gen) {
            auto model = std::make_shared<models::vae::ConvResNetVAE>(std::vector<int64_t>{3, 12, 12}, 4, 0.5,
                                                                      std::vector<int64_t>{6});
            Tensor x = rand({8, 3, 12, 12}, &gen) * 2.0 - 1.0;
            Tensor eps = randn({8, 4}, &gen);
            {
              NoGradGuard no_grad;
              for (auto& [name, p] : model->named_parameters())
                if (name.find("bn") != std::string::npos) p.uniform_(0.5, 1.5, &gen);
            }
            return TwinExport{model, {{"x", x}, {"eps", eps}}, [model, x, eps] {
                                std::vector<Tensor> start;
                                for (auto& [name, b] : model->named_buffers()) start.push_back(b.clone());
                                Tensor loss = model->loss(x, eps).at("elbo_loss");
                                NoGradGuard no_grad;
                                size_t i = 0;
                                for (auto& [name, b] : model->named_buffers()) b.copy_(start[i++]);
                                return loss;
                              }};
          }};
}

// VQ-VAE (homework 3) on 8 random binary 28x28 images: loss = total_loss = CE + VQ loss, gradients of every
// parameter including the codebook (through the codebook term) and the encoder (commitment + straight-through).
// The codebook is set to encoder outputs of the batch plus noise, so that several codes are used, and the case
// refuses a batch where a position's two nearest codes differ by less than 1e-5 of the squared output scale
// (an argmin tie could flip).
TwinCase vqvae_case() {
  const std::string config =
      R"({"channels": 8, "latent_dim": 4, "num_embeddings": 16, "beta": 0.25, "ce_loss_scale": 1.0})";
  return {"vqvae", "vqvae", config, [](Generator& gen) {
            auto model = std::make_shared<models::vqvae::VQVAEModel>(1.0, 4, 16, std::make_pair(7, 7), 8, 0.25);
            Tensor x = bernoulli({8, 1, 28, 28}, 0.3, {}, &gen);
            {
              NoGradGuard no_grad;
              Tensor z = model->encoder->forward(x).permute({0, 2, 3, 1}).reshape({-1, 4});  // (392, 4)
              Tensor rows = z.index_select(0, randint(0, z.size(0), {16}, kInt64, &gen));
              Tensor& codebook = model->vq->embedding->weight;
              const double scale = std::sqrt(z.square().mean().item());  // the encoder's output scale
              codebook.copy_(rows + 0.5 * scale * randn({16, 4}, {}, &gen));
              // |z - e|^2 per position and code; the two smallest must differ by 1e-5 scale^2 (float error ~1e-7)
              std::vector<float> d = (z.unsqueeze(1) - codebook.unsqueeze(0)).square().sum({2}).to_vector<float>();
              for (size_t n = 0; n < d.size() / 16; ++n) {
                std::vector<float> row(d.begin() + n * 16, d.begin() + (n + 1) * 16);
                std::partial_sort(row.begin(), row.begin() + 2, row.end());
                DGM_CHECK(row[1] - row[0] > 1e-5 * scale * scale, "vqvae twin case: near argmin tie at position ", n);
              }
            }
            return TwinExport{model, {{"x", x}}, [model, x] { return model->loss(x).at("total_loss"); }};
          }};
}

// WGAN-GP (homework 3 task 3) on 6 random 3x32x32 images in [-1, 1], the BatchNorms of the generator in training
// mode with random affine weights. Two cases, so that every parameter gets a gradient in each:
//   wgan_gp_critic:    loss = critic_loss = E f(G(z)) - E f(x) + 10 E (|grad f(x_t)| - 1)^2, the fake not detached
//                      (the generator's gradient through E f(G(z))); the penalty detaches it, as in training
//   wgan_gp_generator: loss = generator_loss = -E f(G(z))
// The generator blocks' conv biases feed training-mode BatchNorms (conv1 -> bn2, conv2 -> the next bn1 or bn),
// which remove the mean they shift: their gradients are zero in exact arithmetic, rounding noise in both, and
// check_twins.py compares them against the case's largest gradient ("zero_grads").
// The interpolation weights t are drawn by the penalty from a generator; a copy of it at the same state draws the
// same t for the export. The BatchNorms' running statistics are restored after the loss, so the exported buffers
// are the fresh ones the twin starts with.
TwinCase wgan_gp_case(bool critic) {
  const std::string config = std::string(R"({"input_size": 16, "n_channels": 8, "image_channels": 3, )") +
                             R"("gp_weight": 10.0, "zero_grads": ["generator\\.blocks\\.\\d\\.conv\\d\\.bias"], )" +
                             R"("loss": ")" + (critic ? "critic" : "generator") + "\"}";
  return {critic ? "wgan_gp_critic" : "wgan_gp_generator", "wgan_gp", config, [critic](Generator& gen) {
            auto model = std::make_shared<models::gan::WGAN_GP>(10.0, 16, 8, 3, 5);
            Tensor x = rand({6, 3, 32, 32}, &gen) * 2.0 - 1.0;
            Tensor z = randn({6, 16}, &gen);
            {
              NoGradGuard no_grad;
              for (auto& [name, p] : model->named_parameters())
                if (name.find("bn") != std::string::npos) p.uniform_(0.5, 1.5, &gen);
            }
            auto penalty_gen = std::make_shared<Generator>(gen);
            Generator copy(*penalty_gen);
            Tensor t = rand({6, 1, 1, 1}, {}, &copy);
            return TwinExport{model, {{"x", x}, {"z", z}, {"t", t}}, [model, x, z, penalty_gen, critic] {
                                std::vector<Tensor> start;
                                for (auto& [name, b] : model->named_buffers()) start.push_back(b.clone());
                                Generator g(*penalty_gen);  // the same t at every call
                                Tensor fake = model->generator->forward(z);
                                Tensor loss = critic ? model->critic_losses(x, fake, &g).at("critic_loss")
                                                     : model->generator_losses(fake).at("generator_loss");
                                NoGradGuard no_grad;
                                size_t i = 0;
                                for (auto& [name, b] : model->named_buffers()) b.copy_(start[i++]);
                                return loss;
                              }};
          }};
}

}  // namespace

std::vector<TwinCase> twin_cases() {
  std::vector<TwinCase> cases = {maf_points_case(), maf_images_case(),  realnvp_case(),     resnet_vae_case(),
                                 vqvae_case(),      wgan_gp_case(true), wgan_gp_case(false)};
  for (auto group : {ddpm2d_twin_cases, unet_twin_cases, flow_matching_twin_cases})
    for (TwinCase& c : group()) cases.push_back(std::move(c));
  return cases;
}

}  // namespace dgm::twins
