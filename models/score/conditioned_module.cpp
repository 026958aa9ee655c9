#include "models/score/conditioned_module.h"

namespace dgm::models::score {

Tensor ConditionedModule::forward(const Tensor& x) {
  DGM_FAIL(name(), "::forward: needs the noise level index y (B) beside x ", shape_str(x.shape()),
           "; call forward(x, y)");
}

}  // namespace dgm::models::score
