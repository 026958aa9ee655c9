#include "models/ode/ode_net.h"

#include "autograd/ops/elementwise.h"
#include "autograd/ops/shape_ops.h"
#include "tensor/error.h"
#include "tensor/factories.h"

namespace dgm::models::ode {

OdeNet::OdeNet(int64_t dim, std::vector<int64_t> hidden, std::string activation)
    : dim_(dim), hidden_(std::move(hidden)), activation_(std::move(activation)) {
  DGM_CHECK(dim >= 1, "OdeNet: dim must be positive (got ", dim, ")");
  DGM_CHECK(!hidden_.empty(), "OdeNet: needs at least one hidden layer");
  DGM_CHECK(activation_ == "tanh" || activation_ == "softplus", "OdeNet: activation must be tanh or softplus (got '",
            activation_, "')");
  int64_t in = dim;
  for (size_t k = 0; k <= hidden_.size(); ++k) {
    const int64_t out = k < hidden_.size() ? hidden_[k] : dim;
    DGM_CHECK(out >= 1, "OdeNet: hidden widths must be positive (got ", out, ")");
    layers_.push_back(register_module("layer" + std::to_string(k), std::make_shared<nn::Linear>(in + 1, out)));
    in = out;
  }
}

std::string OdeNet::extra_repr() const {
  std::string widths = std::to_string(dim_ + 1);
  for (int64_t h : hidden_) widths += " -> " + std::to_string(h);
  return "dim=" + std::to_string(dim_) + ", " + widths + " -> " + std::to_string(dim_) +
         ", t concatenated to every "
         "layer's input, " +
         activation_;
}

// h_{k+1} = act(W_k [h_k, t] + b_k); the last layer has no activation
Tensor OdeNet::field(double t, const Tensor& x) {
  DGM_CHECK(x.defined() && x.dim() == 2 && x.size(1) == dim_, "OdeNet.field: expected points of shape (B,", dim_,
            "), got ", x.defined() ? shape_str(x.shape()) : std::string("an undefined tensor"));
  const Tensor time = full({x.size(0), 1}, t, TensorOptions(x.dtype()).device(x.device()));
  Tensor h = x;
  for (size_t k = 0; k < layers_.size(); ++k) {
    h = layers_[k]->forward(cat({h, time}, 1));
    if (k + 1 < layers_.size()) h = activation_ == "tanh" ? tanh(h) : softplus(h);
  }
  return h;
}

}  // namespace dgm::models::ode
