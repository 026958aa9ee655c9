// Shorthands for writing presets in the family spec files.
#pragma once
#include "models/spec.h"

namespace dgm::models::train {

// One Adam optimizer "model" with learning rate lr.
inline std::map<std::string, OptimizerSpec> adam(double lr) {
  OptimizerSpec s;
  s.lr = lr;
  return {{"model", s}};
}

// Settings of `epochs` epochs, batch `batch_size`, one Adam at `lr`.
inline TrainSettings settings(int64_t epochs, int64_t batch_size, double lr) {
  TrainSettings t;
  t.epochs = epochs;
  t.batch_size = batch_size;
  t.optimizers = adam(lr);
  return t;
}

}  // namespace dgm::models::train
