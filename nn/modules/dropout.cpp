#include "nn/modules/dropout.h"

#include "nn/functional/linear.h"

namespace dgm::nn {

Dropout::Dropout(double p_, Generator* gen) : p(p_), generator(gen) {
  DGM_CHECK(p >= 0 && p <= 1, "Dropout: probability must be in [0, 1], got ", p);
}

Tensor Dropout::forward(const Tensor& x) { return functional::dropout(x, p, is_training(), generator); }

std::string Dropout::extra_repr() const { return "p=" + py_float(p) + ", inplace=False"; }

}  // namespace dgm::nn
