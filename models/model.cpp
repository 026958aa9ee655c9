#include "models/model.h"

#include "nn/io/image_grid.h"

namespace dgm::models {

void GenerativeModel::save_pictures(const std::string& dir, const Tensor& test_batch, int64_t n_samples,
                                    Generator* gen) {
  io::save_image_grid(dir + "/samples.png", generate(n_samples, gen).clamp(0.0, 1.0));
}

}  // namespace dgm::models
