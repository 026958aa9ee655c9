// Diagonal Gaussians, element-wise, as homework 2 (task 3) and seminar 5 write
// them: the parameters are a mean and a log standard deviation.
//
//   get_normal_KL(m1, s1, m2, s2) = KL(N(m1, e^{2 s1}) || N(m2, e^{2 s2}))
//                                 = s2 - s1 + (e^{2 s1} + (m1 - m2)^2) / (2 e^{2 s2}) - 1/2
//   get_normal_nll(x, m, s)       = -log N(x; m, e^{2 s}) = log(2 pi)/2 + s + (x - m)^2 / (2 e^{2 s})
//
// Both broadcast their arguments and return one value per element (sum them
// over the latent or pixel dimensions yourself). Without the second Gaussian
// the KL is to N(0, 1).
#pragma once
#include <optional>

#include "tensor/tensor.h"

namespace dgm::models::vae {

Tensor get_normal_KL(const Tensor& mean_1, const Tensor& log_std_1, const std::optional<Tensor>& mean_2 = std::nullopt,
                     const std::optional<Tensor>& log_std_2 = std::nullopt);

Tensor get_normal_nll(const Tensor& x, const Tensor& mean, const Tensor& log_std);

}  // namespace dgm::models::vae
