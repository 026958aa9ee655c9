#include "models/flows/maf.h"

#include <algorithm>

#include "autograd/ops/elementwise.h"
#include "autograd/ops/index_ops.h"
#include "autograd/ops/reduction.h"
#include "tensor/factories.h"

namespace dgm::models::flows {

namespace {

void check_input(const char* layer, const Tensor& x, int64_t dim) {
  DGM_CHECK(x.defined() && x.dim() == 2 && x.size(1) == dim, layer, ": expected input (B,", dim, "), got ",
            x.defined() ? shape_str(x.shape()) : std::string("undefined"));
  DGM_CHECK(x.is_floating_point(), layer, ": expected a floating point input, got ", dtype_name(x.dtype()));
}

// Conditioner outputs with the bounded log scale.
std::pair<Tensor, Tensor> shift_and_log_scale(MADE& made, const Tensor& input, double bound,
                                              const std::vector<Tensor>& masked_weights) {
  MADE::Output out = made.conditioner(input, masked_weights);
  return {out.mu, bounded_log_sigma(out.log_sigma, bound)};
}

std::string describe(const MADE& made, double bound) {
  return made.extra_repr() + ", log_sigma_bound=" + nn::py_float(bound);
}

}  // namespace

// a = B tanh(raw / B)
Tensor bounded_log_sigma(const Tensor& raw, double bound) { return bound * tanh(raw * (1.0 / bound)); }

MAFLayer::MAFLayer(int64_t dim, std::vector<int64_t> hidden, double bound, std::vector<int64_t> order)
    : log_sigma_bound(bound) {
  DGM_CHECK(bound > 0, "MAFLayer: log_sigma_bound must be positive, got ", bound);
  made = register_module("made", std::make_shared<MADE>(dim, std::move(hidden), std::move(order)));
}

std::string MAFLayer::extra_repr() const { return describe(*made, log_sigma_bound); }

FlowOutput MAFLayer::forward(const Tensor& input, bool invert) {
  check_input("MAFLayer", input, made->dim());
  if (!invert) {
    // z = (x - mu(x)) exp(-a(x)),  log|det dz/dx| = -sum_j a_j(x)
    auto [mu, a] = shift_and_log_scale(*made, input, log_sigma_bound, made->masked_weights());
    return {(input - mu) * exp(-a), -a.sum({1})};
  }
  // D passes: after pass k the dimensions of degree <= k are exact.
  const Tensor& z = input;
  Tensor x = zeros_like(z);
  Tensor a;
  const std::vector<Tensor> w = made->masked_weights();  // W * M once for the D passes
  for (int64_t pass = 0; pass < made->dim(); ++pass) {
    auto [mu, a_k] = shift_and_log_scale(*made, x, log_sigma_bound, w);
    // x = z exp(a(x)) + mu(x)
    x = z * exp(a_k) + mu;
    a = a_k;
  }
  // log|det dx/dz| = +sum_j a_j(x), a from the last pass (computed from exact x_<j)
  return {x, a.sum({1})};
}

IAFLayer::IAFLayer(int64_t dim, std::vector<int64_t> hidden, double bound, std::vector<int64_t> order)
    : log_sigma_bound(bound) {
  DGM_CHECK(bound > 0, "IAFLayer: log_sigma_bound must be positive, got ", bound);
  made = register_module("made", std::make_shared<MADE>(dim, std::move(hidden), std::move(order)));
}

std::string IAFLayer::extra_repr() const { return describe(*made, log_sigma_bound); }

FlowOutput IAFLayer::forward(const Tensor& input, bool invert) {
  check_input("IAFLayer", input, made->dim());
  if (invert) {
    // x = z exp(a(z)) + mu(z),  log|det dx/dz| = +sum_j a_j(z)
    const Tensor& z = input;
    auto [mu, a] = shift_and_log_scale(*made, z, log_sigma_bound, made->masked_weights());
    return {z * exp(a) + mu, a.sum({1})};
  }
  // D passes: z_j = (x_j - mu_j(z_<j)) exp(-a_j(z_<j)); after pass k the dimensions of degree <= k are exact.
  const Tensor& x = input;
  Tensor z = zeros_like(x);
  Tensor a;
  const std::vector<Tensor> w = made->masked_weights();  // W * M once for the D passes
  for (int64_t pass = 0; pass < made->dim(); ++pass) {
    auto [mu, a_k] = shift_and_log_scale(*made, z, log_sigma_bound, w);
    z = (x - mu) * exp(-a_k);
    a = a_k;
  }
  // log|det dz/dx| = -sum_j a_j(z)
  return {z, -a.sum({1})};
}

Permutation::Permutation(std::vector<int64_t> perm) : perm_(std::move(perm)) {
  const int64_t d = static_cast<int64_t>(perm_.size());
  DGM_CHECK(d >= 1, "Permutation: expected at least one index");
  inverse_.assign(perm_.size(), -1);
  for (int64_t i = 0; i < d; ++i) {
    const int64_t p = perm_[static_cast<size_t>(i)];
    DGM_CHECK(p >= 0 && p < d && inverse_[static_cast<size_t>(p)] < 0, "Permutation: expected a permutation of 0..",
              d - 1, ", got index ", p, " at position ", i);
    inverse_[static_cast<size_t>(p)] = i;
  }
}

std::shared_ptr<Permutation> Permutation::reverse(int64_t dim) {
  DGM_CHECK(dim >= 1, "Permutation::reverse: dim must be at least 1, got ", dim);
  std::vector<int64_t> perm(static_cast<size_t>(dim));
  for (int64_t i = 0; i < dim; ++i) perm[static_cast<size_t>(i)] = dim - 1 - i;
  return std::make_shared<Permutation>(perm);
}

std::string Permutation::extra_repr() const {
  std::string s;
  for (size_t i = 0; i < perm_.size() && i < 8; ++i) s += (i ? ", " : "") + std::to_string(perm_[i]);
  if (perm_.size() > 8) s += ", ...";
  return "perm=[" + s + "]";
}

FlowOutput Permutation::forward(const Tensor& x, bool invert) {
  check_input("Permutation", x, static_cast<int64_t>(perm_.size()));
  // z = x[:, perm] (x = z[:, perm^-1]); a permutation matrix has |det| = 1
  Tensor index = tensor(invert ? inverse_ : perm_).to(x.device());
  return {index_select(x, 1, index), zeros({x.size(0)}, TensorOptions(x.dtype()).device(x.device()))};
}

}  // namespace dgm::models::flows
