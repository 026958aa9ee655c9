#include "models/score/specs.h"

namespace dgm::models::score {

void register_models(Registry& r) {
  r.add_family(
      {"score", "score-based models (Langevin dynamics, score matching, NCSN)", "lecture 7, homework 4, seminar 8"});
  register_toy_models(r);
  register_image_models(r);
}

}  // namespace dgm::models::score
