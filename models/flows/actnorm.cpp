#include "models/flows/actnorm.h"

#include "autograd/grad_mode.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/reduction.h"
#include "tensor/factories.h"

namespace dgm::models::flows {

ActNorm::ActNorm(int64_t n_channels) : n_channels_(n_channels) {
  DGM_CHECK(n_channels > 0, "ActNorm: n_channels must be > 0, got ", n_channels);
  log_scale = register_parameter("log_scale", zeros({1, n_channels, 1, 1}));
  shift = register_parameter("shift", zeros({1, n_channels, 1, 1}));
  initialized_ = register_buffer("initialized", zeros({1}));
}

std::string ActNorm::extra_repr() const { return std::to_string(n_channels_); }

bool ActNorm::initialized() const { return initialized_.item() != 0; }

void ActNorm::initialize(const Tensor& x) {
  DGM_CHECK(x.dim() == 4 && x.size(1) == n_channels_, "ActNorm: expected (B,", n_channels_, ",H,W), got ",
            shape_str(x.shape()));
  DGM_CHECK(x.numel() / n_channels_ >= 2,
            "ActNorm: the data-dependent initialization needs at least 2 values per "
            "channel (for a std), got a batch of shape ",
            shape_str(x.shape()));
  NoGradGuard no_grad;
  Tensor xd = x.detach();
  Tensor mean = xd.mean({0, 2, 3}, true);
  // unbiased variance over (B,H,W): sum (x - mean)^2 / (n - 1)
  const double n = static_cast<double>(xd.numel() / n_channels_);
  Tensor var = (xd - mean).square().sum({0, 2, 3}, true) / (n - 1);
  DGM_CHECK(var.min().item() > 0, "ActNorm: a channel is constant over the initialization batch of shape ",
            shape_str(x.shape()), " (zero variance: its log_scale = -log std would be inf); initialize on data ",
            "that varies in every channel");
  shift.copy_((-mean).to(shift.dtype()));
  log_scale.copy_((-0.5 * log(var)).to(log_scale.dtype()));
  initialized_.fill_(1);
}

FlowOutput ActNorm::forward(const Tensor& x, bool invert) {
  DGM_CHECK(x.dim() == 4 && x.size(1) == n_channels_, "ActNorm: expected (B,", n_channels_, ",H,W), got ",
            shape_str(x.shape()));
  if (!initialized()) initialize(x);
  Tensor ones = ones_like(x);
  if (invert) return {(x - shift) * exp(-log_scale), -log_scale * ones};
  return {x * exp(log_scale) + shift, log_scale * ones};
}

}  // namespace dgm::models::flows
