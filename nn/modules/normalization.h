// Normalization modules, as torch.nn: BatchNorm1d/2d, LayerNorm, GroupNorm,
// InstanceNorm2d, over nn::functional's batch_norm / layer_norm / group_norm.
// Every one computes y = (x - mean) / sqrt(var + eps) * weight + bias with the
// biased variance over its own dims; weight starts at 1 and bias at 0.
#pragma once
#include <optional>

#include "nn/module.h"

namespace dgm::nn {

// Per channel over (N, *). Training: batch statistics, and the running ones
// updated as (1 - m) running + m batch (unbiased variance), m = momentum, or
// 1/num_batches_tracked (a cumulative average) when momentum is nullopt.
// Evaluation: the running statistics (the batch's if track_running_stats=false).
class BatchNormBase : public Module {
 public:
  BatchNormBase(int64_t num_features, double eps, std::optional<double> momentum, bool affine,
                bool track_running_stats);
  Tensor forward(const Tensor& x) override;
  void reset_running_stats();
  void reset_parameters();
  std::string extra_repr() const override;

  int64_t num_features;
  double eps;
  std::optional<double> momentum;
  bool affine, track_running_stats;
  Tensor weight, bias;                                    // (C), when affine
  Tensor running_mean, running_var, num_batches_tracked;  // buffers, when track_running_stats

 protected:
  virtual void check_input_dim(const Tensor& x) const = 0;
};

// Input (N, C) or (N, C, L).
class BatchNorm1d : public BatchNormBase {
 public:
  explicit BatchNorm1d(int64_t num_features, double eps = 1e-5, std::optional<double> momentum = 0.1,
                       bool affine = true, bool track_running_stats = true)
      : BatchNormBase(num_features, eps, momentum, affine, track_running_stats) {}
  std::string name() const override { return "BatchNorm1d"; }

 protected:
  void check_input_dim(const Tensor& x) const override;
};

// Input (N, C, H, W).
class BatchNorm2d : public BatchNormBase {
 public:
  explicit BatchNorm2d(int64_t num_features, double eps = 1e-5, std::optional<double> momentum = 0.1,
                       bool affine = true, bool track_running_stats = true)
      : BatchNormBase(num_features, eps, momentum, affine, track_running_stats) {}
  std::string name() const override { return "BatchNorm2d"; }

 protected:
  void check_input_dim(const Tensor& x) const override;
};

// Over the last dims, which must equal normalized_shape; weight and bias of that shape.
class LayerNorm : public Module {
 public:
  explicit LayerNorm(Shape normalized_shape, double eps = 1e-5, bool elementwise_affine = true);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "LayerNorm"; }
  std::string extra_repr() const override;

  Shape normalized_shape;
  double eps;
  bool elementwise_affine;
  Tensor weight, bias;
};

// LayerNorm over the channels only of an (N,C,H,W) tensor: NCHW -> NHWC,
// normalize the last dim, back to NCHW (the course's PixelCNN LayerNorm). The
// permutes are views: the CPU kernel reads the strided rows without a copy.
class ChannelLayerNorm : public Module {
 public:
  explicit ChannelLayerNorm(int64_t channels);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "ChannelLayerNorm"; }

  std::shared_ptr<LayerNorm> norm;
};

// Input (N, C, *): per sample over each group of C/num_groups channels and *; weight, bias (C).
class GroupNorm : public Module {
 public:
  GroupNorm(int64_t num_groups, int64_t num_channels, double eps = 1e-5, bool affine = true);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "GroupNorm"; }
  std::string extra_repr() const override;

  int64_t num_groups, num_channels;
  double eps;
  bool affine;
  Tensor weight, bias;
};

// Input (N, C, H, W) or (C, H, W): per sample and channel over (H, W), i.e.
// GroupNorm with one channel per group. No affine and no running statistics by
// default (as PyTorch); with track_running_stats the running mean/var average
// the per-instance statistics and are used in evaluation.
class InstanceNorm2d : public Module {
 public:
  explicit InstanceNorm2d(int64_t num_features, double eps = 1e-5, double momentum = 0.1, bool affine = false,
                          bool track_running_stats = false);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "InstanceNorm2d"; }
  std::string extra_repr() const override;

  int64_t num_features;
  double eps, momentum;
  bool affine, track_running_stats;
  Tensor weight, bias;
  Tensor running_mean, running_var, num_batches_tracked;
};

}  // namespace dgm::nn
