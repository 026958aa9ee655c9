// The analytic score of a Gaussian mixture with isotropic components (seminar 8's 2-D GMM: probs [0.1, 0.9],
// means -(5,5) and +(5,5), unit variance):
//
//   log p(x) = logsumexp_k [ log pi_k - ||x - mu_k||^2 / (2 s^2) ] - D/2 log(2 pi s^2)
//   s(x)     = grad_x log p(x), by autograd with respect to the input, as the seminar does (torch.autograd.grad)
//
// log_prob works on points (N, D) of any floating dtype (the mixture's numbers are cast to x's dtype).
#pragma once
#include <vector>

#include "tensor/tensor.h"

namespace dgm::models::score {

class IsotropicGaussianMixture {
 public:
  // probs (K) summing to 1, means K points of dimension D, std > 0 shared by every component.
  IsotropicGaussianMixture(std::vector<double> probs, std::vector<std::vector<double>> means, double std);

  // Seminar 8's mixture: probs [0.1, 0.9], means -(5,5), +(5,5), std 1 (the "gmm2d" data set's).
  static IsotropicGaussianMixture seminar8();

  // log p(x) of points (N, D): (N).
  Tensor log_prob(const Tensor& x) const;
  // grad_x log p(x) of points (N, D): (N, D), detached; computed by autograd whatever the grad mode.
  Tensor score(const Tensor& x) const;

  int64_t dim() const { return static_cast<int64_t>(means_.front().size()); }
  const std::vector<double>& probs() const { return probs_; }
  const std::vector<std::vector<double>>& means() const { return means_; }
  double std() const { return std_; }

 private:
  std::vector<double> probs_;
  std::vector<std::vector<double>> means_;
  double std_;
};

}  // namespace dgm::models::score
