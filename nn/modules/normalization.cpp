#include "nn/modules/normalization.h"

#include "autograd/grad_mode.h"
#include "nn/functional/normalization.h"
#include "nn/init.h"
#include "tensor/factories.h"

namespace dgm::nn {

namespace {

std::string momentum_str(std::optional<double> m) { return m ? py_float(*m) : "None"; }

}  // namespace

// The state BatchNorm and InstanceNorm share: weight = 1 and bias = 0 when
// affine; running_mean = 0, running_var = 1 and a step count when tracking.
template <typename Norm>
void register_affine_and_running_stats(Norm& m, int64_t c, bool affine, bool track) {
  if (affine) {
    m.weight = m.register_parameter("weight", ones({c}));
    m.bias = m.register_parameter("bias", zeros({c}));
  }
  if (track) {
    m.running_mean = m.register_buffer("running_mean", zeros({c}));
    m.running_var = m.register_buffer("running_var", ones({c}));
    m.num_batches_tracked = m.register_buffer("num_batches_tracked", scalar_tensor(0, kInt64));
  }
}

// ---- BatchNorm ----

BatchNormBase::BatchNormBase(int64_t c, double eps_, std::optional<double> momentum_, bool affine_, bool track)
    : num_features(c), eps(eps_), momentum(momentum_), affine(affine_), track_running_stats(track) {
  DGM_CHECK(c > 0, "BatchNorm: num_features must be positive, got ", c);
  register_affine_and_running_stats(*this, c, affine, track);
}

void BatchNormBase::reset_running_stats() {
  if (!track_running_stats) return;
  init::zeros_(running_mean);
  init::ones_(running_var);
  init::zeros_(num_batches_tracked);
}

void BatchNormBase::reset_parameters() {
  reset_running_stats();
  if (affine) {
    init::ones_(weight);
    init::zeros_(bias);
  }
}

Tensor BatchNormBase::forward(const Tensor& x) {
  check_input_dim(x);
  DGM_CHECK(x.size(1) == num_features, name(), ": expected ", num_features, " channels (dim 1), got input of shape ",
            shape_str(x.shape()));
  double factor = momentum.value_or(0.0);
  if (is_training() && track_running_stats) {
    {
      NoGradGuard no_grad;
      num_batches_tracked.add_(1.0);
    }
    if (!momentum) factor = 1.0 / static_cast<double>(num_batches_tracked.item<int64_t>());
  }
  // Batch statistics in training, and in evaluation when there are no running ones.
  const bool use_batch_stats = is_training() || !track_running_stats;
  return functional::batch_norm(x, running_mean, running_var, weight, bias, use_batch_stats, factor, eps);
}

std::string BatchNormBase::extra_repr() const {
  return std::to_string(num_features) + ", eps=" + py_float(eps) + ", momentum=" + momentum_str(momentum) +
         ", affine=" + py_bool(affine) + ", track_running_stats=" + py_bool(track_running_stats);
}

void BatchNorm1d::check_input_dim(const Tensor& x) const {
  DGM_CHECK(x.dim() == 2 || x.dim() == 3, "BatchNorm1d: expected 2-D or 3-D input, got shape ", shape_str(x.shape()));
}

void BatchNorm2d::check_input_dim(const Tensor& x) const {
  DGM_CHECK(x.dim() == 4, "BatchNorm2d: expected 4-D input (N, C, H, W), got shape ", shape_str(x.shape()));
}

// ---- LayerNorm ----

LayerNorm::LayerNorm(Shape shape, double eps_, bool affine)
    : normalized_shape(std::move(shape)), eps(eps_), elementwise_affine(affine) {
  DGM_CHECK(!normalized_shape.empty(), "LayerNorm: normalized_shape must not be empty");
  if (affine) {
    weight = register_parameter("weight", ones(normalized_shape));
    bias = register_parameter("bias", zeros(normalized_shape));
  }
}

Tensor LayerNorm::forward(const Tensor& x) { return functional::layer_norm(x, normalized_shape, weight, bias, eps); }

ChannelLayerNorm::ChannelLayerNorm(int64_t channels) {
  norm = register_module("norm", std::make_shared<LayerNorm>(Shape{channels}));
}

Tensor ChannelLayerNorm::forward(const Tensor& x) {
  DGM_CHECK(x.dim() == 4, "ChannelLayerNorm: expected (N,C,H,W), got ", shape_str(x.shape()));
  // (N,C,H,W) -> (N,H,W,C): normalize over C -> back to (N,C,H,W)
  return norm->forward(x.permute({0, 2, 3, 1})).permute({0, 3, 1, 2});
}

std::string LayerNorm::extra_repr() const {
  std::string s = "(";
  for (size_t i = 0; i < normalized_shape.size(); ++i) s += (i ? ", " : "") + std::to_string(normalized_shape[i]);
  s += normalized_shape.size() == 1 ? ",)" : ")";
  return s + ", eps=" + py_float(eps) + ", elementwise_affine=" + py_bool(elementwise_affine);
}

// ---- GroupNorm ----

GroupNorm::GroupNorm(int64_t groups, int64_t channels, double eps_, bool affine_)
    : num_groups(groups), num_channels(channels), eps(eps_), affine(affine_) {
  DGM_CHECK(groups > 0 && channels % groups == 0, "GroupNorm: num_channels=", channels,
            " must be divisible by num_groups=", groups);
  if (affine) {
    weight = register_parameter("weight", ones({channels}));
    bias = register_parameter("bias", zeros({channels}));
  }
}

Tensor GroupNorm::forward(const Tensor& x) {
  DGM_CHECK(x.dim() >= 2 && x.size(1) == num_channels, "GroupNorm: expected input (N, ", num_channels,
            ", *), got shape ", shape_str(x.shape()));
  return functional::group_norm(x, num_groups, weight, bias, eps);
}

std::string GroupNorm::extra_repr() const {
  return std::to_string(num_groups) + ", " + std::to_string(num_channels) + ", eps=" + py_float(eps) +
         ", affine=" + py_bool(affine);
}

// ---- InstanceNorm2d ----

InstanceNorm2d::InstanceNorm2d(int64_t c, double eps_, double momentum_, bool affine_, bool track)
    : num_features(c), eps(eps_), momentum(momentum_), affine(affine_), track_running_stats(track) {
  DGM_CHECK(c > 0, "InstanceNorm2d: num_features must be positive, got ", c);
  register_affine_and_running_stats(*this, c, affine, track);
}

Tensor InstanceNorm2d::forward(const Tensor& input) {
  DGM_CHECK((input.dim() == 3 || input.dim() == 4) && input.size(input.dim() - 3) == num_features,
            "InstanceNorm2d: expected input (N, ", num_features, ", H, W) or (", num_features, ", H, W), got shape ",
            shape_str(input.shape()));
  const bool unbatched = input.dim() == 3;
  Tensor x = unbatched ? input.unsqueeze(0) : input;
  Tensor y;
  if (track_running_stats && !is_training()) {
    y = functional::batch_norm(x, running_mean, running_var, weight, bias, false, momentum, eps);
  } else {
    y = functional::group_norm(x, num_features, weight, bias, eps);
    if (track_running_stats) {
      // The running statistics follow the mean over the batch of each instance's statistics.
      NoGradGuard no_grad;
      num_batches_tracked.add_(1.0);
      const int64_t hw = x.size(2) * x.size(3);
      Tensor d = x.detach();
      Tensor mu = d.mean({2, 3});
      Tensor var = (d - mu.unsqueeze(2).unsqueeze(3)).square().sum({2, 3}) / static_cast<double>(hw - 1);
      running_mean.mul_(1 - momentum).add_(mu.mean({0}), momentum);
      running_var.mul_(1 - momentum).add_(var.mean({0}), momentum);
    }
  }
  return unbatched ? y.squeeze(0) : y;
}

std::string InstanceNorm2d::extra_repr() const {
  return std::to_string(num_features) + ", eps=" + py_float(eps) + ", momentum=" + py_float(momentum) +
         ", affine=" + py_bool(affine) + ", track_running_stats=" + py_bool(track_running_stats);
}

}  // namespace dgm::nn
