#include "models/gan/stylegan_schedule.h"

#include "tensor/error.h"

namespace dgm::models::gan {

Progress progress_at(const ProgressiveSchedule& schedule, int64_t step) {
  DGM_CHECK(schedule.stages >= 1 && schedule.stage_steps >= 0 && schedule.fade_steps >= 0 && step >= 0,
            "progress_at: expected stages >= 1, stage_steps and fade_steps >= 0 and step >= 0, got ", schedule.stages,
            ", ", schedule.stage_steps, ", ", schedule.fade_steps, ", ", step);
  Progress p;
  int64_t t = step - schedule.stage_steps;  // steps past stage 0
  while (t >= 0 && p.stage + 1 < schedule.stages) {
    ++p.stage;
    if (t < schedule.fade_steps) {
      p.alpha = static_cast<double>(t + 1) / static_cast<double>(schedule.fade_steps);
      return p;
    }
    t -= schedule.fade_steps + schedule.stage_steps;
  }
  p.alpha = 1;
  return p;
}

}  // namespace dgm::models::gan
