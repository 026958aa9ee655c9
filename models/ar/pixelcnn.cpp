#include "models/ar/pixelcnn.h"

#include <algorithm>
#include <cmath>

#include "autograd/grad_mode.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/shape_ops.h"
#include "nn/functional/loss.h"
#include "nn/functional/softmax.h"
#include "nn/io/image_grid.h"

namespace dgm::models {

namespace {

// n_layers hidden layers of n_filters each: the list of n_layers + 1 n_filters.
std::vector<int64_t> uniform_channels(int64_t n_filters, int64_t n_layers) {
  DGM_CHECK(n_layers >= 0, "PixelCNN: n_layers must be non-negative, got ", n_layers);
  return std::vector<int64_t>(static_cast<size_t>(n_layers + 1), n_filters);
}

}  // namespace

PixelCNN::PixelCNN(std::pair<int64_t, int64_t> input_shape, int64_t n_filters, int64_t kernel_size, int64_t n_layers,
                   bool use_layer_norm, int64_t levels)
    : PixelCNN(input_shape, uniform_channels(n_filters, n_layers), kernel_size, use_layer_norm, levels) {}

PixelCNN::PixelCNN(std::pair<int64_t, int64_t> input_shape, std::vector<int64_t> hidden_channels, int64_t kernel_size,
                   bool use_layer_norm, int64_t levels)
    : height_(input_shape.first),
      width_(input_shape.second),
      hidden_channels_(std::move(hidden_channels)),
      kernel_size_(kernel_size),
      n_layers_(static_cast<int64_t>(hidden_channels_.size()) - 1),
      levels_(levels),
      use_layer_norm_(use_layer_norm) {
  DGM_CHECK(levels >= 2, "PixelCNN: levels must be at least 2, got ", levels);
  DGM_CHECK(kernel_size % 2 == 1, "PixelCNN: kernel_size must be odd, got ", kernel_size);
  DGM_CHECK(!hidden_channels_.empty(), "PixelCNN: hidden_channels needs at least one entry");
  for (int64_t c : hidden_channels_)
    DGM_CHECK(c >= 1, "PixelCNN: hidden channel counts must be positive, got ", shape_str(hidden_channels_));
  const std::vector<int64_t>& C = hidden_channels_;
  input_conv_ = register_module("input_conv", std::make_shared<nn::MaskedConv2d>('A', 1, C[0], kernel_size));
  for (int64_t l = 0; l < n_layers_; ++l) {
    if (use_layer_norm)
      norms_.push_back(register_module("norm" + std::to_string(l), std::make_shared<nn::ChannelLayerNorm>(C[l])));
    convs_.push_back(register_module("conv" + std::to_string(l),
                                     std::make_shared<nn::MaskedConv2d>('B', C[l], C[l + 1], kernel_size)));
  }
  output_conv_ = register_module("output_conv", std::make_shared<nn::MaskedConv2d>('B', C.back(), levels, 1));
}

std::string PixelCNN::extra_repr() const {
  const bool uniform = std::all_of(hidden_channels_.begin(), hidden_channels_.end(),
                                   [&](int64_t c) { return c == hidden_channels_[0]; });
  std::string list;  // "[64, 128, 256]", as Python prints a list
  for (int64_t c : hidden_channels_) list += (list.empty() ? "[" : ", ") + std::to_string(c);
  const std::string width =
      uniform ? "n_filters=" + std::to_string(hidden_channels_[0]) : "hidden_channels=" + list + "]";
  return "input_shape=(" + std::to_string(height_) + ", " + std::to_string(width_) + "), " + width +
         ", kernel_size=" + std::to_string(kernel_size_) + ", n_layers=" + std::to_string(n_layers_) +
         ", use_layer_norm=" + (use_layer_norm_ ? "true" : "false") + ", levels=" + std::to_string(levels_);
}

Tensor PixelCNN::forward(const Tensor& x) {
  // BEGIN SOLUTION hw1.1
  DGM_CHECK(x.dim() == 4 && x.size(1) == 1 && x.size(2) <= height_ && x.size(3) == width_,
            "PixelCNN: expected input of shape (B,1,", height_, ",", width_, "), got ", shape_str(x.shape()));
  Tensor h = input_conv_->forward((x - 0.5) / 0.5);
  for (int64_t l = 0; l < n_layers_; ++l) {
    if (use_layer_norm_) h = norms_[l]->forward(h);
    h = convs_[l]->forward(relu(h));
  }
  Tensor logits = output_conv_->forward(relu(h));
  return logits.view({x.size(0), levels_, 1, x.size(2), x.size(3)});
  // END SOLUTION
}

Tensor PixelCNN::classes(const Tensor& x) const { return (x * static_cast<double>(levels_ - 1)).round().to(kInt64); }

Losses PixelCNN::loss(const Batch& batch) {
  const Tensor& x = batch.x;
  // cross-entropy over the `levels` classes, averaged over pixels: nats per pixel
  Tensor ce = nn::functional::cross_entropy(forward(x), classes(x));
  return {{"loss", ce}};
}

namespace {

// One draw per row of the logits (n, K): values c / (K - 1), shape (n).
Tensor draw_pixel(const Tensor& logits, int64_t levels, Generator* gen) {
  Tensor probs = softmax(logits, 1);
  Tensor c = multinomial(probs, 1, true, gen);
  return c.to(kFloat32).view({logits.size(0)}) / static_cast<double>(levels - 1);
}

// Maps (H,W) stacked to (n,1,H*s,W*s), each pixel drawn as an s x s block.
Tensor enlarge_maps(const std::vector<Tensor>& maps, int64_t s) {
  const int64_t n = static_cast<int64_t>(maps.size()), H = maps[0].size(0), W = maps[0].size(1);
  return stack(maps, 0).view({n, 1, H, 1, W, 1}).expand({n, 1, H, s, W, s}).reshape({n, 1, H * s, W * s});
}

}  // namespace

Tensor PixelCNN::sample(int64_t n, const SampleOptions& options) {
  Generator* gen = options.gen;
  NoGradGuard no_grad;
  Tensor x = zeros({n, 1, height_, width_}, TensorOptions().device(parameters().front().device()));
  for (int64_t i = 0; i < height_; ++i) {
    for (int64_t j = 0; j < width_; ++j) {
      // row i of the output only sees rows <= i: the first i+1 rows suffice
      Tensor logits = forward(x.narrow(2, 0, i + 1));                       // (n, K, 1, i+1, W)
      Tensor pixel_logits = logits.select(2, 0).select(2, i).select(2, j);  // (n, K)
      x.select(1, 0).select(1, i).select(1, j).copy_(draw_pixel(pixel_logits, levels_, gen));
    }
  }
  return x;
}

Tensor PixelCNN::autocomplete(const Tensor& init, Generator* gen) {
  // BEGIN SOLUTION hw1.2
  DGM_CHECK(init.dim() == 4 && init.size(1) == 1 && init.size(2) == height_ && init.size(3) == width_,
            "PixelCNN::autocomplete: expected init of shape (n,1,", height_, ",", width_, "), got ",
            shape_str(init.shape()));
  NoGradGuard no_grad;
  const Device device = parameters().front().device();
  Tensor x = init.to(device).to(kFloat32).clone();
  Tensor unknown = x.eq(-1.0);  // bool (n,1,H,W)
  for (int64_t i = 0; i < height_; ++i) {
    for (int64_t j = 0; j < width_; ++j) {
      Tensor missing = unknown.select(1, 0).select(1, i).select(1, j);  // (n)
      if (missing.to(kFloat32).sum().item() == 0) continue;
      Tensor logits = forward(x.narrow(2, 0, i + 1));
      Tensor drawn = draw_pixel(logits.select(2, 0).select(2, i).select(2, j), levels_, gen);
      Tensor pixel = x.select(1, 0).select(1, i).select(1, j);
      pixel.copy_(where(missing, drawn, pixel.clone()));
    }
  }
  return x;
  // END SOLUTION
}

std::pair<Tensor, Tensor> receptive_field(PixelCNN& model) {
  // BEGIN SOLUTION hw1.3
  AutoGradMode grad_on(true);
  const int64_t H = model.height(), W = model.width();
  const Device device = model.parameters().front().device();
  // keep the parameters' gradients as they were
  std::vector<Tensor> params = model.parameters();
  std::vector<Tensor> saved;
  for (const Tensor& p : params) saved.push_back(p.grad());
  Tensor x = zeros({1, 1, H, W}, TensorOptions().device(device)).requires_grad_();
  Tensor logits = model.forward(x);  // (1, K, 1, H, W)
  logits.select(0, 0).select(1, 0).select(1, H / 2).select(1, W / 2).sum().backward();
  Tensor g = x.grad().abs().view({H, W}).cpu().to(kFloat32);
  for (size_t k = 0; k < params.size(); ++k) params[k].set_grad(saved[k]);
  Tensor binary = g.gt(1e-8).to(kFloat32);
  const double top = g.max().item();
  Tensor weighted = top > 0 ? g / top : g;
  return {binary, weighted};
  // END SOLUTION
}

void PixelCNN::save_pictures(const std::string& dir, const Batch& test, int64_t n_samples, Generator* gen) {
  GenerativeModel::save_pictures(dir, test, n_samples, gen);
  const Tensor& test_batch = test.x;
  // autocomplete.png: per test image a row: original, lower half masked (shown gray), 4 completions
  const int64_t n_images = std::min<int64_t>(3, test_batch.size(0)), n_completions = 4;
  if (n_images > 0) {
    std::vector<Tensor> rows;
    for (int64_t k = 0; k < n_images; ++k) {
      Tensor original = test_batch.narrow(0, k, 1).to(kFloat32);
      Tensor masked = original.clone();
      masked.narrow(2, height_ / 2, height_ - height_ / 2).fill_(-1.0);
      Tensor shown = where(masked.eq(-1.0), full_like(masked, 0.5), masked);
      Tensor completed = autocomplete(masked.expand({n_completions, 1, height_, width_}).contiguous(), gen);
      rows.push_back(original);
      rows.push_back(shown);
      rows.push_back(completed.to(original.device()));
    }
    nn::io::ImageOptions options;
    options.nrow = 2 + n_completions;
    nn::io::save_image_grid(dir + "/autocomplete.png", cat(rows, 0).clamp(0.0, 1.0), options);
  }
  // receptive_field.png: this model's maps; receptive_field_layers.png: the experiment over depths
  auto [binary, weighted] = receptive_field(*this);
  nn::io::ImageOptions options;
  options.nrow = 2;
  nn::io::save_image_grid(dir + "/receptive_field.png", enlarge_maps({binary, weighted}, 4), options);
  receptive_field_experiment(dir + "/receptive_field_layers.png", {height_, width_});
}

std::vector<std::pair<Tensor, Tensor>> receptive_field_experiment(const std::string& path,
                                                                  std::pair<int64_t, int64_t> input_shape) {
  // Put the default generator back however this ends: the caller's random stream must not shift.
  struct RestoreGenerator {
    Tensor state = default_generator().get_state();
    ~RestoreGenerator() { default_generator().set_state(state); }
  } restore;
  manual_seed(0);
  std::vector<std::pair<Tensor, Tensor>> maps;
  for (int64_t n_layers : {1, 3, 5, 6}) {
    PixelCNN model(input_shape, 32, 5, n_layers, true);
    maps.push_back(receptive_field(model));
  }
  if (!path.empty()) {
    std::vector<Tensor> pictures;
    for (const auto& m : maps) pictures.push_back(m.first);   // first row: binary
    for (const auto& m : maps) pictures.push_back(m.second);  // second row: weighted
    nn::io::ImageOptions options;
    options.nrow = static_cast<int64_t>(maps.size());
    nn::io::save_image_grid(path, enlarge_maps(pictures, 4), options);
  }
  return maps;
}

}  // namespace dgm::models
