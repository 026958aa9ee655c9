// The pictures of a FlowMatching run: samples.png (default steps) and steps.png (the same noise integrated with
// 2, 10 and 100 Euler steps, the course's comparison; one column per step count).
#include <algorithm>
#include <string>
#include <vector>

#include "autograd/grad_mode.h"
#include "models/flow_matching/flow_matching.h"
#include "nn/io/image_grid.h"
#include "nn/io/trajectory.h"
#include "tensor/random.h"

namespace dgm::models::flow_matching {

namespace {
const std::vector<int64_t> kPictureSteps{2, 10, 100};
}  // namespace

void FlowMatching::save_pictures(const std::string& dir, const Batch& /*test_batch*/, int64_t n_samples,
                                 Generator* gen) {
  NoGradGuard no_grad;
  nn::io::save_image_grid(dir + "/samples.png", sample(n_samples, SampleOptions(gen)));
  const int64_t rows = std::min<int64_t>(8, n_samples);
  const Tensor x0 = randn({rows, 1, image_size, image_size}, TensorOptions().device(device()), gen);
  std::vector<Tensor> frames;
  std::vector<std::string> captions;
  for (int64_t steps : kPictureSteps) {
    frames.push_back(integrate(x0, steps).clamp(0.0, 1.0));
    captions.push_back(std::to_string(steps) + " steps");
  }
  nn::io::save_trajectory(dir + "/steps.png", frames, captions, std::make_pair(0.0, 1.0));
}

}  // namespace dgm::models::flow_matching
