#include "models/lvm/specs.h"

namespace dgm::models::lvm {

void register_models(Registry& r) {
  r.add_family({"lvm", "latent-variable models: mixtures and EM", "lecture 3, seminar 4"});
  register_gmm_models(r);
}

}  // namespace dgm::models::lvm
