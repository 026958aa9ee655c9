#include "models/score/score_mlp.h"

#include "nn/modules/activation.h"
#include "nn/modules/linear.h"
#include "tensor/error.h"

namespace dgm::models::score {

std::shared_ptr<nn::Sequential> score_mlp(int64_t dim, const std::vector<int64_t>& hidden) {
  DGM_CHECK(dim > 0 && !hidden.empty(), "score_mlp: expected dim > 0 and at least one hidden width, got dim ", dim,
            " and ", hidden.size(), " widths");
  auto net = std::make_shared<nn::Sequential>();
  int64_t width = dim;
  for (int64_t h : hidden) {
    DGM_CHECK(h > 0, "score_mlp: expected positive hidden widths, got ", h);
    net->push_back(std::make_shared<nn::Linear>(width, h));
    net->push_back(std::make_shared<nn::SiLU>());
    width = h;
  }
  net->push_back(std::make_shared<nn::Linear>(width, dim));
  return net;
}

}  // namespace dgm::models::score
