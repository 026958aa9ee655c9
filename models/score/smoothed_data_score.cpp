#include "models/score/smoothed_data_score.h"

#include "autograd/grad_mode.h"
#include "nn/functional/softmax.h"
#include "tensor/error.h"

namespace dgm::models::score {

Tensor smoothed_data_score(const Tensor& y, const Tensor& data, double sigma) {
  DGM_CHECK(y.dim() == 2 && data.dim() == 2 && y.size(1) == data.size(1) && data.size(0) >= 1,
            "smoothed_data_score: expected points y (N,D) and data (M,D), got ", shape_str(y.shape()), " and ",
            shape_str(data.shape()));
  DGM_CHECK(sigma > 0, "smoothed_data_score: expected sigma > 0, got ", sigma);
  NoGradGuard no_grad;
  const Tensor y64 = y.to(kFloat64), x64 = data.to(kFloat64).to(y.device());
  Tensor diff = x64.unsqueeze(0) - y64.unsqueeze(1);  // (N, M, D): x_i - y
  // w_i(y) = softmax_i(-||y - x_i||^2 / (2 sigma^2))
  Tensor w = nn::functional::softmax(diff.square().sum({2}) * (-0.5 / (sigma * sigma)), 1);  // (N, M)
  // sum_i w_i (x_i - y) / sigma^2
  return ((w.unsqueeze(2) * diff).sum({1}) / (sigma * sigma)).to(y.dtype());
}

}  // namespace dgm::models::score
