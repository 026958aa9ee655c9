// The score of a point set smoothed by Gaussian noise of scale sigma: with q(y) = (1/n) sum_i N(y; x_i, sigma^2 I),
//
//   grad_y log q(y) = sum_i w_i(y) (x_i - y) / sigma^2,   w_i(y) = softmax_i(-||y - x_i||^2 / (2 sigma^2)),
//
// exactly. Over the training points this is the minimizer of the denoising score matching loss with that sigma
// (lecture 7: E_{x, eps} || s(x + sigma eps) + eps / sigma ||^2 is least at s = grad log q_sigma), so it is what a
// DSM network can at best learn, and what its quiver plot is compared with.
#pragma once
#include "tensor/tensor.h"

namespace dgm::models::score {

// Points y (N, D), data (M, D), sigma > 0: the score (N, D) in y's dtype, computed in float64 without a graph.
Tensor smoothed_data_score(const Tensor& y, const Tensor& data, double sigma);

}  // namespace dgm::models::score
