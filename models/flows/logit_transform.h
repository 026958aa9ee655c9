// LogitTransform (homework 2; RealNVP's preprocessing): images in [0,1] to
// the real line, with both log-dets element-wise (the shape of x):
//
//   forward  y = dequantize(x, nbins) (optional),  x_s = alpha + (1 - 2 alpha) y,  z = log x_s - log(1 - x_s)
//            log|dz/dy| = -log x_s - log(1 - x_s) + log(1 - 2 alpha)
//   inverse  x = (sigmoid(z) - alpha) / (1 - 2 alpha)
//            log|dx/dz| = log sigmoid'(z) - log(1 - 2 alpha) = -z - 2 softplus(-z) - log(1 - 2 alpha)
//
// alpha keeps x_s in [alpha, 1 - alpha] so the logit stays finite at 0 and 1.
// The course's check (dequantize off, x = (0,1,2,3)/256):
//   z = [-2.944439, -2.8727808, -2.8054335, -2.7418802], log_det = [2.9416652, 2.8774219, 2.8175175, 2.7614343].
#pragma once
#include <utility>

#include "models/flows/flow_layer.h"
#include "tensor/random.h"

namespace dgm::models::flows {

class LogitTransform : public FlowLayer {
 public:
  explicit LogitTransform(double alpha = 0.05, bool dequantize = true, int64_t nbins = 256);
  std::string name() const override { return "LogitTransform"; }
  std::string extra_repr() const override;

  FlowOutput forward(const Tensor& x, bool invert) override;
  using FlowLayer::forward;
  // The forward direction with the dequantization noise u given (x's shape; ignored without dequantization).
  FlowOutput forward_transform(const Tensor& x, const Tensor& noise = {});
  FlowOutput inverse_transform(const Tensor& z);
  // x_s = alpha + (1 - 2 alpha) x and z = logit(x_s) = log x_s - log(1 - x_s).
  std::pair<Tensor, Tensor> scale_and_logit(const Tensor& x) const;

  double alpha;
  bool dequantize;
  int64_t nbins;
};

}  // namespace dgm::models::flows
