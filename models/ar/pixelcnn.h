// PixelCNN (van den Oord et al., 2016) as in the course's homework 1 (task 2)
// and seminar 1: an autoregressive model of images over raster order,
//
//   p(x) = prod_{i,j} p(x_ij | x_<ij),
//
// where every conditional is a categorical over `levels` values (2 for
// binarized MNIST, 256 for the seminar's grayscale variant) computed by
// masked convolutions, so that the output at (i, j) only sees inputs before
// (i, j) in raster order:
//
//   x (B,1,H,W) in [0,1] -> (x - 0.5) / 0.5
//     -> MaskedConv2d('A', 1, F, k)
//     -> n_layers x [channel LayerNorm(F) (if use_layer_norm), ReLU, MaskedConv2d('B', F, F, k)]
//     -> ReLU -> MaskedConv2d('B', F, levels, 1)
//     -> logits viewed as (B, levels, 1, H, W)
//
// The layers may also widen, as in the seminar's grayscale model: given the
// list C_0..C_n of hidden channels, the 'A' conv maps 1 -> C_0 and 'B' conv l
// maps C_l -> C_{l+1} (its layer norm is over C_l); F filters and n layers is
// the list of n + 1 F's.
//
// Pixel values are v = c / (levels - 1) for the class c in [0, levels).
// loss(x) = cross-entropy of the logits against the classes of x, in nats per
// pixel (key "loss"). Sampling draws pixels one by one in raster order.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "models/model.h"
#include "nn/modules/masked_conv.h"
#include "nn/modules/normalization.h"

namespace dgm::models {

class PixelCNN : public GenerativeModel {
 public:
  PixelCNN(std::pair<int64_t, int64_t> input_shape = {28, 28}, int64_t n_filters = 64, int64_t kernel_size = 7,
           int64_t n_layers = 5, bool use_layer_norm = true, int64_t levels = 2);
  // hidden_channels C_0..C_n (n + 1 >= 1 entries): 'A' conv 1 -> C_0, then n
  // layers C_l -> C_{l+1}, then the 1x1 conv C_n -> levels.
  PixelCNN(std::pair<int64_t, int64_t> input_shape, std::vector<int64_t> hidden_channels, int64_t kernel_size,
           bool use_layer_norm = true, int64_t levels = 2);
  std::string name() const override { return "PixelCNN"; }
  std::string extra_repr() const override;

  // x (B,1,H',W') with values in [0,1] (H' <= H rows may be given: row i of
  // the output only depends on rows <= i) -> logits (B, levels, 1, H', W').
  Tensor forward(const Tensor& x) override;
  // {"loss": cross-entropy in nats per pixel}.
  Losses loss(const Batch& batch) override;
  // n images (n,1,H,W) drawn in raster order, values c / (levels - 1).
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;
  // Like sample, but starts from init (n,1,H,W) and draws only the pixels
  // equal to -1; every other pixel is kept as given.
  Tensor autocomplete(const Tensor& init, Generator* gen = nullptr);
  // samples.png, autocomplete.png (the lower half of test images masked and
  // filled: per image a row original, masked, 4 completions),
  // receptive_field.png (binary and weighted maps of this model's centre
  // pixel) and receptive_field_layers.png (receptive_field_experiment).
  void save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) override;

  // Pixel classes (int64, (B,1,H,W)) of values in [0,1].
  Tensor classes(const Tensor& x) const;
  int64_t height() const { return height_; }
  int64_t width() const { return width_; }
  int64_t levels() const { return levels_; }

 private:
  int64_t height_, width_;
  std::vector<int64_t> hidden_channels_;  // C_0..C_n
  int64_t kernel_size_, n_layers_, levels_;
  bool use_layer_norm_;
  std::shared_ptr<nn::MaskedConv2d> input_conv_;              // 'A', 1 -> F, k x k
  std::vector<std::shared_ptr<nn::ChannelLayerNorm>> norms_;  // n_layers, over C_l (empty without layer norm)
  std::vector<std::shared_ptr<nn::MaskedConv2d>> convs_;      // n_layers x 'B', C_l -> C_{l+1}, k x k
  std::shared_ptr<nn::MaskedConv2d> output_conv_;             // 'B', C_n -> levels, 1 x 1
};

// The receptive field of the centre output pixel (H/2, W/2) of `model`: the
// gradient of its logits (summed over classes) with respect to a zero input.
// Returns {binary map |g| > 1e-8, weighted map |g| / max |g|}, each (H, W)
// float32 on the CPU. Pixels at or after the centre in raster order are 0 in
// both (the causal masks); the blind spot of PixelCNN shows as zeros above
// and to the right.
std::pair<Tensor, Tensor> receptive_field(PixelCNN& model);

// The course's receptive-field experiment: fresh (untrained) PixelCNNs with 32
// filters, kernel 5 and layer norm, with 1, 3, 5 and 6 layers, on images of
// input_shape. Returns receptive_field() of each, in that order; unless `path`
// is empty, also writes one picture there: a column per depth, the binary map
// above the weighted one, each pixel drawn as a 4x4 block. The blind spot above
// and to the right of the centre stays as the field grows. The models are
// initialized from seed 0 and the default generator's state is restored after.
std::vector<std::pair<Tensor, Tensor>> receptive_field_experiment(const std::string& path,
                                                                  std::pair<int64_t, int64_t> input_shape = {28, 28});

}  // namespace dgm::models
