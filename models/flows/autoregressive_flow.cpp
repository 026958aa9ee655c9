#include "models/flows/autoregressive_flow.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "autograd/grad_mode.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/reduction.h"
#include "models/flows/maf.h"
#include "nn/io/density_map.h"

namespace dgm::models::flows {

AutoregressiveFlow::AutoregressiveFlow(AutoregressiveFlowOptions options) : options_(std::move(options)) {
  const auto& o = options_;
  DGM_CHECK(o.kind == "maf" || o.kind == "iaf", "AutoregressiveFlow: kind must be \"maf\" or \"iaf\", got \"", o.kind,
            "\"");
  DGM_CHECK(o.layers >= 1, "AutoregressiveFlow: layers must be at least 1, got ", o.layers);
  if (!o.image_shape.empty()) {
    int64_t d = 1;
    for (int64_t s : o.image_shape) d *= s;
    DGM_CHECK(o.image_shape.size() == 3 && d == o.dim,
              "AutoregressiveFlow: image_shape (C, H, W) must have C*H*W = ", "dim = ", o.dim, ", got ",
              shape_str(Shape(o.image_shape.begin(), o.image_shape.end())));
  }
  DGM_CHECK(o.logit_alpha >= 0 && o.logit_alpha < 0.5, "AutoregressiveFlow: logit_alpha must be in [0, 0.5), got ",
            o.logit_alpha);
  DGM_CHECK(o.logit_alpha == 0 || !o.image_shape.empty(),
            "AutoregressiveFlow: logit_alpha is for images (set image_shape)");
  auto list = register_module("flows", std::make_shared<nn::ModuleList>());
  for (int64_t k = 0; k < o.layers; ++k) {
    if (k > 0) layers_.push_back(Permutation::reverse(o.dim));
    if (o.kind == "maf")
      layers_.push_back(std::make_shared<MAFLayer>(o.dim, o.hidden, o.log_sigma_bound));
    else
      layers_.push_back(std::make_shared<IAFLayer>(o.dim, o.hidden, o.log_sigma_bound));
    list->push_back(layers_.back());
  }
  // Only T_1..T_K are registered (flows.0, flows.1, ...): the reversals have no state.
}

std::string AutoregressiveFlow::extra_repr() const {
  return "dim=" + std::to_string(options_.dim) + ", layers=" + std::to_string(options_.layers) +
         ", logit_alpha=" + nn::py_float(options_.logit_alpha);
}

FlowOutput AutoregressiveFlow::to_noise(const Tensor& x) {
  DGM_CHECK(x.defined() && x.dim() == 2 && x.size(1) == options_.dim, name(), ": expected input (B,", options_.dim,
            "), got ", x.defined() ? shape_str(x.shape()) : std::string("undefined"));
  Tensor h = x;
  Tensor log_det = zeros({x.size(0)}, TensorOptions(x.dtype()).device(x.device()));
  if (options_.logit_alpha > 0) {
    const double alpha = options_.logit_alpha;
    // s = alpha + (1 - 2 alpha) x;  y = log s - log(1 - s);  log|dy/dx| = log(1 - 2 alpha) - log s - log(1 - s)
    Tensor s = alpha + (1 - 2 * alpha) * h;
    Tensor log_s = log(s), log_1ms = log(1.0 - s);
    h = log_s - log_1ms;
    log_det = log_det + (std::log(1 - 2 * alpha) - log_s - log_1ms).sum({1});
  }
  for (const auto& layer : layers_) {
    FlowOutput out = layer->flow(h);
    h = out.z;
    log_det = log_det + log_det_per_example(out.log_det);
  }
  return {h, log_det};
}

Tensor AutoregressiveFlow::log_prob(const Tensor& x) {
  FlowOutput out = to_noise(x);
  // log N(z; 0, I) + log|det dz/dx|
  const double log_2pi = std::log(2 * std::numbers::pi);
  return -0.5 * (out.z.square() + log_2pi).sum({1}) + out.log_det;
}

Tensor AutoregressiveFlow::dequantized_nll(const Tensor& pixels, const Tensor& noise) {
  DGM_CHECK(!options_.image_shape.empty(), name(), ".dequantized_nll: the model is not for images");
  Shape want{pixels.defined() ? pixels.size(0) : 0};
  want.insert(want.end(), options_.image_shape.begin(), options_.image_shape.end());
  std::string image = shape_str(Shape(options_.image_shape.begin(), options_.image_shape.end()));
  DGM_CHECK(pixels.defined() && pixels.shape() == want, name(), ": expected images (B,", image.substr(1),
            " of pixels 0..255, got ", pixels.defined() ? shape_str(pixels.shape()) : std::string("undefined"));
  DGM_CHECK(noise.defined() && noise.shape() == pixels.shape(), name(),
            ".dequantized_nll: the noise must have the pixels' shape ", shape_str(pixels.shape()));
  // x = (pixel + u) / 256
  Tensor x = ((pixels + noise) * (1.0 / 256)).reshape({pixels.size(0), options_.dim});
  return -log_prob(x).mean();
}

Losses AutoregressiveFlow::loss(const Batch& batch) {
  if (options_.image_shape.empty()) return {{"loss", -log_prob(batch.x).mean()}};
  DGM_CHECK(batch.x.defined() && batch.x.is_floating_point(), name(), ": expected floating point pixels 0..255, got ",
            batch.x.defined() ? dtype_name(batch.x.dtype()) : std::string("undefined"));
  Tensor nll = dequantized_nll(batch.x, rand_like(batch.x));
  // bits/dim of the 256-level pixels: nll / (D ln 2) + 8
  Tensor bpd = nll.detach() * (1.0 / (static_cast<double>(options_.dim) * std::log(2.0))) + 8.0;
  return {{"loss", nll}, {"bits_per_dim", bpd}};
}

Tensor AutoregressiveFlow::sample(int64_t n, const SampleOptions& options) {
  DGM_CHECK(n >= 0, name(), ".sample: n must be non-negative, got ", n);
  const Tensor p = parameters().front();
  Tensor h = randn({n, options_.dim}, TensorOptions(p.dtype()).device(p.device()), options.gen);
  for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) h = (*it)->inverse(h).z;
  if (options_.image_shape.empty()) return h;
  if (options_.logit_alpha > 0) h = (sigmoid(h) - options_.logit_alpha) * (1.0 / (1 - 2 * options_.logit_alpha));
  Shape shape{n};
  shape.insert(shape.end(), options_.image_shape.begin(), options_.image_shape.end());
  return h.clamp(0.0, 1.0).reshape(shape);
}

void AutoregressiveFlow::save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples,
                                       Generator* gen) {
  GenerativeModel::save_pictures(dir, test_batch, n_samples, gen);
  if (!options_.image_shape.empty() || options_.dim != 2 || !test_batch.x.defined()) return;
  // The box around the test points, with a margin of a quarter of their extent.
  Tensor pts = test_batch.x.to(kFloat64).cpu();
  std::vector<double> lo(2), hi(2);
  for (int64_t j = 0; j < 2; ++j) {
    Tensor c = pts.select(1, j);
    const double a = c.min().item(), b = c.max().item(), m = 0.25 * (b - a);
    lo[static_cast<size_t>(j)] = a - m;
    hi[static_cast<size_t>(j)] = b + m;
  }
  const Tensor p = parameters().front();
  auto density = [&](const Tensor& z) { return log_prob(z.to(p.dtype()).to(p.device())).cpu(); };
  nn::io::save_density_map(dir + "/density.png", density, lo[0], hi[0], lo[1], hi[1], 200, test_batch.x.cpu());
}

}  // namespace dgm::models::flows
