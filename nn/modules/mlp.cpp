#include "nn/modules/mlp.h"

#include "nn/modules/activation.h"
#include "nn/modules/linear.h"
#include "tensor/error.h"

namespace dgm::nn {

std::shared_ptr<Sequential> mlp(const std::vector<int64_t>& widths) {
  DGM_CHECK(widths.size() >= 2, "nn::mlp: expected at least an input and an output width, got ", widths.size(),
            " widths");
  for (int64_t w : widths) DGM_CHECK(w > 0, "nn::mlp: every width must be positive, got ", w);
  auto net = std::make_shared<Sequential>();
  for (size_t i = 0; i + 1 < widths.size(); ++i) {
    if (i > 0) net->push_back(std::make_shared<ReLU>());
    net->push_back(std::make_shared<Linear>(widths[i], widths[i + 1]));
  }
  return net;
}

}  // namespace dgm::nn
