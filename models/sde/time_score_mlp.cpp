#include "models/sde/time_score_mlp.h"

#include <cmath>

#include "autograd/ops/shape_ops.h"
#include "nn/modules/activation.h"
#include "nn/modules/linear.h"
#include "tensor/error.h"
#include "tensor/factories.h"

namespace dgm::models::sde {

// e(t) = [sin(2^k pi t), cos(2^k pi t)]_k
Tensor fourier_time_features(const Tensor& t, int64_t num_frequencies) {
  DGM_CHECK(t.defined() && t.dim() == 1 && (t.dtype() == kFloat32 || t.dtype() == kFloat64),
            "fourier_time_features: expected times t (B) float, got ",
            t.defined() ? shape_str(t.shape()) + " " + dtype_name(t.dtype()) : std::string("none"));
  DGM_CHECK(num_frequencies >= 1, "fourier_time_features: num_frequencies must be >= 1, got ", num_frequencies);
  std::vector<double> w(num_frequencies);
  for (int64_t k = 0; k < num_frequencies; ++k) w[k] = std::ldexp(M_PI, static_cast<int>(k));
  const Tensor freq = tensor(w, {1, num_frequencies}).to(t.dtype()).to(t.device());
  const Tensor angle = t.unsqueeze(1) * freq;
  return cat({angle.sin(), angle.cos()}, 1);
}

TimeScoreMLP::TimeScoreMLP(int64_t dim_, const std::vector<int64_t>& hidden, int64_t num_frequencies_)
    : dim(dim_), num_frequencies(num_frequencies_) {
  DGM_CHECK(dim > 0 && num_frequencies >= 1 && !hidden.empty(), "TimeScoreMLP: expected dim > 0, ",
            "num_frequencies >= 1 and at least one hidden width, got dim ", dim, ", num_frequencies ", num_frequencies,
            ", ", hidden.size(), " widths");
  net = std::make_shared<nn::Sequential>();
  int64_t width = dim + 2 * num_frequencies;
  for (int64_t h : hidden) {
    DGM_CHECK(h > 0, "TimeScoreMLP: expected positive hidden widths, got ", h);
    net->push_back(std::make_shared<nn::Linear>(width, h));
    net->push_back(std::make_shared<nn::SiLU>());
    width = h;
  }
  net->push_back(std::make_shared<nn::Linear>(width, dim));
  register_module("net", net);
}

Tensor TimeScoreMLP::forward(const Tensor& x, const Tensor& t) {
  DGM_CHECK(x.defined() && x.dim() == 2 && x.size(1) == dim && t.defined() && t.dim() == 1 && t.size(0) == x.size(0),
            "TimeScoreMLP: expected x (B, ", dim, ") and t (B), got x ", x.defined() ? shape_str(x.shape()) : "none",
            " and t ", t.defined() ? shape_str(t.shape()) : "none");
  return net->forward(cat({x, fourier_time_features(t.to(x.dtype()), num_frequencies)}, 1));
}

Tensor TimeScoreMLP::forward(const Tensor&) {
  throw Error("TimeScoreMLP: forward needs the time t as well: forward(x, t)");
}

}  // namespace dgm::models::sde
