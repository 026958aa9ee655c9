// The invertible 1x1 convolution of Glow (lecture 2): a learned linear map
// of the channels, the same at every pixel,
//
//   forward  z[b, :, h, w] = W x[b, :, h, w],       W (C, C) invertible
//   inverse  x[b, :, h, w] = W^{-1} z[b, :, h, w]
//   log|det dz/dx| = H * W * log|det W|    (one C x C block per pixel; per example, shape (B))
//
// W is parametrized as an InvertibleMatrix (invertible_matrix.h): plain (the
// log-det by slogdet, O(C^3) per step) or LU (W = P L (U + diag(s)), the
// log-det sum log|s|, O(C)); both start as a random rotation. The 1x1
// convolution is computed as a batched matmul W @ x.reshape(B, C, H*W).
#pragma once
#include <memory>

#include "models/flows/flow_layer.h"
#include "models/flows/invertible_matrix.h"

namespace dgm::models::flows {

class Invertible1x1Conv : public FlowLayer {
 public:
  Invertible1x1Conv(int64_t channels, MatrixParametrization parametrization = MatrixParametrization::kLU,
                    Generator* gen = nullptr);
  std::string name() const override { return "Invertible1x1Conv"; }
  std::string extra_repr() const override;

  // x (B, C, H, W) -> (z, log_det (B))
  FlowOutput forward(const Tensor& x, bool invert) override;
  using FlowLayer::forward;

  InvertibleMatrix& matrix() { return *matrix_; }
  int64_t channels() const { return channels_; }

 private:
  int64_t channels_;
  MatrixParametrization parametrization_;
  std::shared_ptr<InvertibleMatrix> matrix_;
};

}  // namespace dgm::models::flows
