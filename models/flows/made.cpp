#include "models/flows/made.h"

#include <algorithm>

#include "autograd/ops/elementwise.h"
#include "nn/functional/linear.h"
#include "nn/modules/container.h"
#include "tensor/factories.h"

namespace dgm::models::flows {

namespace {

// mask[k][j] = 1 iff `keep(out_degree[k], in_degree[j])`, as (out, in) float32.
Tensor degree_mask(const std::vector<int64_t>& out_degrees, const std::vector<int64_t>& in_degrees, bool strict) {
  std::vector<float> m;
  m.reserve(out_degrees.size() * in_degrees.size());
  for (int64_t mk : out_degrees)
    for (int64_t mj : in_degrees) m.push_back((strict ? mk > mj : mk >= mj) ? 1.0f : 0.0f);
  return tensor(m, {static_cast<int64_t>(out_degrees.size()), static_cast<int64_t>(in_degrees.size())});
}

}  // namespace

MADE::MADE(int64_t dim, std::vector<int64_t> hidden, std::vector<int64_t> order)
    : dim_(dim), hidden_(std::move(hidden)), order_(std::move(order)) {
  DGM_CHECK(dim_ >= 1, "MADE: dim must be at least 1, got ", dim_);
  for (int64_t h : hidden_) DGM_CHECK(h >= 1, "MADE: every hidden size must be at least 1, got ", h);
  if (order_.empty())
    for (int64_t i = 1; i <= dim_; ++i) order_.push_back(i);
  std::vector<int64_t> sorted = order_;
  std::sort(sorted.begin(), sorted.end());
  bool is_permutation = static_cast<int64_t>(sorted.size()) == dim_;
  for (int64_t i = 0; is_permutation && i < dim_; ++i) is_permutation = sorted[static_cast<size_t>(i)] == i + 1;
  DGM_CHECK(is_permutation, "MADE: order must be a permutation of 1..", dim_, " (one degree per input), got ",
            order_.size(), " values");

  degrees_.push_back(order_);
  for (int64_t h : hidden_) {
    const std::vector<int64_t>& prev = degrees_.back();
    const int64_t lo = std::min(*std::min_element(prev.begin(), prev.end()), dim_ - 1);
    const int64_t span = dim_ - lo;  // degrees lo..D-1 (D = 1: just 0)
    std::vector<int64_t> m(static_cast<size_t>(h));
    for (int64_t k = 0; k < h; ++k) m[static_cast<size_t>(k)] = lo + (span > 0 ? k % span : 0);
    degrees_.push_back(m);
  }
  auto list = register_module("layers", std::make_shared<nn::ModuleList>());
  for (size_t l = 0; l < hidden_.size(); ++l) {
    const std::vector<int64_t>& in = degrees_[l];
    const std::vector<int64_t>& out = degrees_[l + 1];
    auto layer = std::make_shared<MaskedLinear>(static_cast<int64_t>(in.size()), static_cast<int64_t>(out.size()),
                                                degree_mask(out, in, false));
    list->push_back(layer);
    layers_.push_back(layer);
  }
  // Output unit o is (mu or log sigma) of input o mod D.
  std::vector<int64_t> out_degrees;
  for (int rep = 0; rep < 2; ++rep) out_degrees.insert(out_degrees.end(), order_.begin(), order_.end());
  const std::vector<int64_t>& last = degrees_.back();
  auto out =
      std::make_shared<MaskedLinear>(static_cast<int64_t>(last.size()), 2 * dim_, degree_mask(out_degrees, last, true));
  list->push_back(out);
  layers_.push_back(out);
}

std::string MADE::extra_repr() const {
  std::string h;
  for (int64_t v : hidden_) h += (h.empty() ? "" : ", ") + std::to_string(v);
  return "dim=" + std::to_string(dim_) + ", hidden=[" + h + "]";
}

std::vector<Tensor> MADE::masked_weights() const {
  std::vector<Tensor> w;
  for (const auto& layer : layers_) w.push_back(layer->masked_weight());
  return w;
}

Tensor MADE::forward(const Tensor& x) { return forward(x, masked_weights()); }

Tensor MADE::forward(const Tensor& x, const std::vector<Tensor>& w) {
  DGM_CHECK(x.dim() == 2 && x.size(1) == dim_, "MADE: expected input (B,", dim_, "), got ", shape_str(x.shape()));
  DGM_CHECK(w.size() == layers_.size(), "MADE: expected ", layers_.size(), " masked weights, got ", w.size());
  Tensor h = x;
  for (size_t l = 0; l < layers_.size(); ++l) {
    h = nn::functional::linear(h, w[l], layers_[l]->bias);
    if (l + 1 < layers_.size()) h = relu(h);
  }
  return h;
}

MADE::Output MADE::conditioner(const Tensor& x) { return conditioner(x, masked_weights()); }

MADE::Output MADE::conditioner(const Tensor& x, const std::vector<Tensor>& w) {
  Tensor out = forward(x, w);
  return {out.narrow(1, 0, dim_), out.narrow(1, dim_, dim_)};
}

}  // namespace dgm::models::flows
