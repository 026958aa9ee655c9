#include "models/flows/glow.h"

#include <cmath>
#include <sstream>

#include "autograd/grad_mode.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/reduction.h"
#include "autograd/ops/shape_ops.h"
#include "models/flows/dequantize.h"
#include "models/flows/squeeze.h"
#include "nn/init.h"
#include "nn/io/image_grid.h"

namespace dgm::models::flows {

namespace {

Tensor sum_per_example(const Tensor& t) { return t.reshape({t.size(0), -1}).sum({1}); }

// log N(z; 0, I) per example: sum of -z^2/2 - log(2 pi)/2 over the non-batch dims
Tensor standard_normal_log_prob(const Tensor& z) {
  return sum_per_example(-0.5 * z.square() - 0.5 * std::log(2 * M_PI));
}

// log N(z; mean, exp(log_std)^2) per example: sum of -((z - mean) / std)^2 / 2 - log std - log(2 pi)/2
Tensor normal_log_prob(const Tensor& z, const Tensor& mean, const Tensor& log_std) {
  return sum_per_example(-0.5 * ((z - mean) * exp(-log_std)).square() - log_std - 0.5 * std::log(2 * M_PI));
}

// a += b, a undefined at first
void add_to(Tensor& a, const Tensor& b) { a = a.defined() ? a + b : b; }

Shape batch_shape(int64_t n, const std::vector<int64_t>& event) {
  Shape s{n};
  s.insert(s.end(), event.begin(), event.end());
  return s;
}

}  // namespace

Glow::Glow(GlowConfig config, Generator* gen) : config_(std::move(config)) {
  const auto& in = config_.input_shape;
  DGM_CHECK(in.size() == 3 && in[0] >= 1 && in[1] >= 1 && in[2] >= 1,
            "Glow: expected an input shape (C,H,W) of positive sizes, got ", shape_str(Shape(in.begin(), in.end())));
  DGM_CHECK(config_.levels >= 1, "Glow: expected levels >= 1, got ", config_.levels);
  DGM_CHECK(config_.steps_per_level >= 1, "Glow: expected steps_per_level >= 1, got ", config_.steps_per_level);
  DGM_CHECK(config_.nbins >= 2, "Glow: expected nbins >= 2, got ", config_.nbins);
  int64_t c = in[0], h = in[1], w = in[2];
  for (int64_t l = 0; l < config_.levels; ++l) {
    DGM_CHECK(h % 2 == 0 && w % 2 == 0, "Glow: level ", l + 1, " of ", config_.levels, " squeezes a (", c, ",", h, ",",
              w, ") tensor, which needs an even height and width (input shape ", shape_str(Shape(in.begin(), in.end())),
              ")");
    c *= 4, h /= 2, w /= 2;
    auto steps = std::make_shared<nn::ModuleList>();
    for (int64_t k = 0; k < config_.steps_per_level; ++k)
      steps->push_back(std::make_shared<GlowStep>(c, config_.hidden_channels, config_.conv, gen));
    levels.push_back(register_module("level" + std::to_string(l + 1), steps));
    if (l + 1 < config_.levels) {
      latent_shapes_.push_back({c / 2, h, w});  // factored out
      c /= 2;
      if (config_.learned_split_prior) {
        // (mean, log std) of z_l from the kept half; zero at the start: N(0, I)
        auto prior = std::make_shared<nn::Conv2d>(c, 2 * c, 3, 1, 1);
        nn::init::zeros_(prior->weight);
        nn::init::zeros_(prior->bias);
        split_priors.push_back(register_module("prior" + std::to_string(l + 1), prior));
      }
    }
  }
  latent_shapes_.push_back({c, h, w});
}

std::string Glow::extra_repr() const {
  std::ostringstream s;
  s << "levels=" << config_.levels << ", steps_per_level=" << config_.steps_per_level
    << ", hidden_channels=" << config_.hidden_channels << ", conv=" << parametrization_name(config_.conv);
  return s.str();
}

void Glow::check_images(const char* what, const Tensor& x) const {
  const auto& in = config_.input_shape;
  DGM_CHECK(x.dim() == 4 && x.size(1) == in[0] && x.size(2) == in[1] && x.size(3) == in[2], "Glow.", what,
            ": expected images (B,", in[0], ",", in[1], ",", in[2], "), got ", shape_str(x.shape()));
}

Glow::Latents Glow::encode(const Tensor& y) {
  check_images("encode", y);
  Latents out;
  Tensor h = y - 0.5;
  for (size_t l = 0; l < levels.size(); ++l) {
    h = squeeze2x2(h);
    for (const auto& m : *levels[l]) {
      FlowOutput step = std::static_pointer_cast<GlowStep>(m)->forward(h, false);
      h = step.z;
      // log|det| of the whole flow: the sum over the steps
      add_to(out.log_det, step.log_det);
    }
    if (l + 1 < levels.size()) {
      const int64_t half = h.size(1) / 2;
      Tensor z = h.narrow(1, 0, half);
      h = h.narrow(1, half, half);
      out.z.push_back(z);
      out.kept.push_back(h);
      if (config_.learned_split_prior) {
        auto [mean, log_std] = split_prior(l, h);
        add_to(out.log_prior, normal_log_prob(z, mean, log_std));
      } else {
        add_to(out.log_prior, standard_normal_log_prob(z));
      }
    }
  }
  out.z.push_back(h);
  add_to(out.log_prior, standard_normal_log_prob(h));
  return out;
}

std::pair<Tensor, Tensor> Glow::split_prior(size_t level, const Tensor& kept) {
  Tensor stats = split_priors[level]->forward(kept);
  const int64_t c = kept.size(1);
  return {stats.narrow(1, 0, c), stats.narrow(1, c, c)};
}

Tensor Glow::decode(const std::vector<Tensor>& z) { return run_inverse(z, false, 1.0); }

Tensor Glow::run_inverse(const std::vector<Tensor>& z, bool from_noise, double temperature) {
  const char* what = from_noise ? "Glow.sample" : "Glow.decode";
  DGM_CHECK(z.size() == latent_shapes_.size(), what, ": expected ", latent_shapes_.size(), " latents, got ", z.size());
  const int64_t n = z.back().size(0);
  for (size_t l = 0; l < z.size(); ++l)
    DGM_CHECK(z[l].shape() == batch_shape(n, latent_shapes_[l]), what, ": latent ", l + 1, " should be ",
              shape_str(batch_shape(n, latent_shapes_[l])), ", got ", shape_str(z[l].shape()));
  Tensor h = from_noise ? z.back() * temperature : z.back();
  for (size_t l = levels.size(); l-- > 0;) {
    if (l + 1 < levels.size()) {
      Tensor zl = z[l];
      if (from_noise) {
        // z_l = mean + std * T * eps, (mean, log std) from the kept half (N(0, I) without a learned prior)
        zl = zl * temperature;
        if (config_.learned_split_prior) {
          auto [mean, log_std] = split_prior(l, h);
          zl = mean + exp(log_std) * zl;
        }
      }
      h = cat({zl, h}, 1);
    }
    for (size_t k = levels[l]->size(); k-- > 0;)
      h = levels[l]->at<GlowStep>(static_cast<int64_t>(k))->forward(h, true).z;
    h = undo_squeeze2x2(h);
  }
  return h + 0.5;
}

Tensor Glow::log_prob(const Tensor& x, const Tensor& noise) {
  check_images("log_prob", x);
  Latents lat = encode(dequantize(x, config_.nbins, noise));
  // log p(y) = sum_l log p(z_l | kept half) + log N(z_L; 0, I) + log|det|
  return lat.log_prior + lat.log_det;
}

Losses Glow::loss(const Batch& batch) {
  Tensor nll = -log_prob(batch.x).mean();
  // Each dequantization bin has volume nbins^-D: discrete NLL <= nll + D log nbins.
  const double dims = static_cast<double>(batch.x.numel() / batch.x.size(0));
  Tensor bits = (nll.detach() + dims * std::log(static_cast<double>(config_.nbins))) / (dims * std::log(2.0));
  return {{"loss", nll}, {"bits_per_dim", bits}};
}

Tensor Glow::sample_with_temperature(int64_t n, double temperature, Generator* gen) {
  DGM_CHECK(n >= 1, "Glow.sample: expected n >= 1, got ", n);
  DGM_CHECK(std::isfinite(temperature) && temperature > 0, "Glow.sample: expected a temperature > 0, got ",
            temperature);
  NoGradGuard no_grad;
  const Tensor p = parameters().front();
  std::vector<Tensor> eps;
  for (const auto& shape : latent_shapes_)
    eps.push_back(randn(batch_shape(n, shape), TensorOptions(p.dtype()).device(p.device()), gen));
  Tensor y = run_inverse(eps, true, temperature);
  // floor(clip(y nbins, 0, nbins - 1)) / (nbins - 1)
  const double bins = static_cast<double>(config_.nbins);
  return floor(clamp(y * bins, 0.0, bins - 1)) / (bins - 1);
}

Tensor Glow::sample(int64_t n, const SampleOptions& options) { return sample_with_temperature(n, 1.0, options.gen); }

void Glow::save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) {
  GenerativeModel::save_pictures(dir, test_batch, n_samples, gen);
  nn::io::save_image_grid(dir + "/samples_temperature_0.7.png", sample_with_temperature(n_samples, 0.7, gen));
}

}  // namespace dgm::models::flows
