#include "models/flows/logit_transform.h"

#include <cmath>
#include <sstream>

#include "autograd/ops/elementwise.h"
#include "models/flows/dequantize.h"

namespace dgm::models::flows {

LogitTransform::LogitTransform(double alpha_, bool dequantize_, int64_t nbins_)
    : alpha(alpha_), dequantize(dequantize_), nbins(nbins_) {
  DGM_CHECK(std::isfinite(alpha) && alpha >= 0 && alpha < 0.5, "LogitTransform: alpha must be in [0, 0.5), got ",
            alpha);
  DGM_CHECK(nbins >= 2, "LogitTransform: nbins must be >= 2, got ", nbins);
}

std::string LogitTransform::extra_repr() const {
  std::ostringstream s;
  s << "alpha=" << alpha << ", dequantize=" << (dequantize ? "True" : "False") << ", nbins=" << nbins;
  return s.str();
}

FlowOutput LogitTransform::forward(const Tensor& x, bool invert) {
  return invert ? inverse_transform(x) : forward_transform(x);
}

FlowOutput LogitTransform::forward_transform(const Tensor& x, const Tensor& noise) {
  Tensor y = dequantize ? flows::dequantize(x, nbins, noise) : x;
  auto [x_scaled, z] = scale_and_logit(y);
  // log|dz/dy| = -log x_s - log(1 - x_s) + log(1 - 2 alpha)
  Tensor log_det = -log(x_scaled) - log(1.0 - x_scaled) + std::log(1 - 2 * alpha);
  return {z, log_det};
}

std::pair<Tensor, Tensor> LogitTransform::scale_and_logit(const Tensor& x) const {
  // BEGIN SOLUTION hw2.1
  Tensor x_scaled = alpha + (1 - 2 * alpha) * x;
  Tensor z = log(x_scaled) - log(1.0 - x_scaled);
  return {x_scaled, z};
  // END SOLUTION
}

FlowOutput LogitTransform::inverse_transform(const Tensor& z) {
  // log|dx/dz| = -z - 2 softplus(-z) - log(1 - 2 alpha)
  Tensor log_det = -z - 2.0 * softplus(-z) - std::log(1 - 2 * alpha);
  return {(sigmoid(z) - alpha) / (1 - 2 * alpha), log_det};
}

}  // namespace dgm::models::flows
