#include "models/vae/normal.h"

#include <cmath>

#include "autograd/ops/elementwise.h"
#include "tensor/factories.h"

namespace dgm::models::vae {

Tensor get_normal_KL(const Tensor& mean_1, const Tensor& log_std_1, const std::optional<Tensor>& mean_2,
                     const std::optional<Tensor>& log_std_2) {
  DGM_CHECK(mean_2.has_value() == log_std_2.has_value(),
            "get_normal_KL: give both mean_2 and log_std_2 or neither (the default is N(0, 1))");
  // BEGIN SOLUTION hw2.6
  // KL(N(m1, s1^2) || N(m2, s2^2)) = log s2 - log s1 + (s1^2 + (m1 - m2)^2) / (2 s2^2) - 1/2
  Tensor m2 = mean_2 ? *mean_2 : zeros_like(mean_1);
  Tensor ls2 = log_std_2 ? *log_std_2 : zeros_like(log_std_1);
  return ls2 - log_std_1 + (exp(2.0 * log_std_1) + (mean_1 - m2).square()) / (2.0 * exp(2.0 * ls2)) - 0.5;
  // END SOLUTION
}

Tensor get_normal_nll(const Tensor& x, const Tensor& mean, const Tensor& log_std) {
  // BEGIN SOLUTION hw2.7
  // -log N(x; m, s^2) = log(2 pi)/2 + log s + (x - m)^2 / (2 s^2)
  return 0.5 * std::log(2 * M_PI) + log_std + (x - mean).square() / (2.0 * exp(2.0 * log_std));
  // END SOLUTION
}

}  // namespace dgm::models::vae
