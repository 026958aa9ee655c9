#include "models/eval/specs.h"

namespace dgm::models::eval {

void register_models(Registry& r) {
  r.add_family({"classifier", "feature networks of the evaluation suite (FID, IS, precision and recall)", "lecture 7"});
}

}  // namespace dgm::models::eval
