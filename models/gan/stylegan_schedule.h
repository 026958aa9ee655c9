// The progressive-growing schedule of seminar 7's MicroStyleGAN, a function of the training step only (so a
// resumed run, which restores the step, grows exactly as a straight one):
//   stage 0 (4x4) for `stage_steps` steps at alpha 1; then for each stage s = 1, ..., stages - 1:
//   a fade-in of `fade_steps` steps with alpha = (k + 1) / fade_steps at its k-th step (k = 0..fade_steps-1),
//   then `stage_steps` steps at alpha 1. The last stage (alpha 1) lasts for the rest of training.
#pragma once
#include <cstdint>

namespace dgm::models::gan {

struct ProgressiveSchedule {
  int64_t stages = 4;  // resolutions 4, 8, 16, 32
  int64_t stage_steps = 1000;
  int64_t fade_steps = 1000;
};

struct Progress {
  int64_t stage = 0;
  double alpha = 1;
  int64_t resolution() const { return int64_t{4} << stage; }
};

// Stage and alpha of training step `step` (0-based).
Progress progress_at(const ProgressiveSchedule& schedule, int64_t step);

}  // namespace dgm::models::gan
