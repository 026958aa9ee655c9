#include "models/vae/vamp_prior.h"

#include <cmath>

#include "autograd/ops/elementwise.h"
#include "autograd/ops/index_ops.h"
#include "autograd/ops/reduction.h"
#include "models/vae/normal.h"

namespace dgm::models::vae {

VampPrior::VampPrior(int64_t dim, Shape input_shape, int64_t pseudo_inputs, Encoder encoder)
    : dim_(dim), encoder_(std::move(encoder)) {
  DGM_CHECK(dim >= 1 && pseudo_inputs >= 1, "VampPrior: expected dim >= 1 and pseudo_inputs >= 1, got dim=", dim,
            ", pseudo_inputs=", pseudo_inputs);
  DGM_CHECK(static_cast<bool>(encoder_), "VampPrior: the encoder function is empty");
  Shape shape{pseudo_inputs};
  shape.insert(shape.end(), input_shape.begin(), input_shape.end());
  // w ~ N(0, 1) noise, u = sigmoid(w)
  weight = register_parameter("weight", randn(shape));
}

std::string VampPrior::extra_repr() const {
  return "dim=" + std::to_string(dim_) + ", pseudo_inputs=" + std::to_string(num_pseudo_inputs());
}

Tensor VampPrior::pseudo_inputs() const { return sigmoid(weight); }

Tensor VampPrior::log_prob(const Tensor& z) {
  DGM_CHECK(z.defined() && z.dim() == 2 && z.size(1) == dim_, "VampPrior::log_prob: expected z of shape (B, ", dim_,
            "), got ", z.defined() ? shape_str(z.shape()) : "undefined");
  auto [mu, log_sigma] = encoder_(pseudo_inputs());  // (K, D) each
  DGM_CHECK(mu.dim() == 2 && mu.size(1) == dim_ && log_sigma.shape() == mu.shape(),
            "VampPrior: the encoder must give (K, ", dim_, ") means and log sigmas, got ", shape_str(mu.shape()),
            " and ", shape_str(log_sigma.shape()));
  // log N(z_b; mu_k, sigma_k^2) summed over D: (B, K)
  Tensor log_n = -get_normal_nll(z.unsqueeze(1), mu.unsqueeze(0), log_sigma.unsqueeze(0)).sum({2});
  // log p(z) = logsumexp_k log N - log K
  return logsumexp(log_n, {1}) - std::log(static_cast<double>(num_pseudo_inputs()));
}

Tensor VampPrior::sample(int64_t n, Device device, Generator* gen) {
  DGM_CHECK(n >= 0, "VampPrior::sample: n must be non-negative, got ", n);
  auto [mu, log_sigma] = encoder_(pseudo_inputs());
  // k ~ Uniform(K), z = mu_k + sigma_k eps
  Tensor k = randint(0, num_pseudo_inputs(), {n}, TensorOptions(kInt64).device(mu.device()), gen);
  Tensor m = index_select(mu, 0, k), s = index_select(log_sigma, 0, k);
  Tensor eps = randn(m.shape(), TensorOptions(m.dtype()).device(m.device()), gen);
  return (m + exp(s) * eps).to(device);
}

}  // namespace dgm::models::vae
