// The allowed range of every setting of a run, in one place, and the checks
// that use them: `dgm train` / `dgm sample` check each option as they parse
// it, and train_run checks the settings it trains with again, wherever they
// came from (the command line, a preset, code). Errors name the option as
// the command line spells it:
//   --epochs: expected an integer >= 1, got 0
//   --lr (optimizer "critic"): expected a finite number > 0, got inf
#pragma once
#include <string>

#include "models/spec.h"
#include "models/train/option_range.h"

namespace dgm::models::train::limits {

// The most samples one picture grid holds (--samples, dgm sample --n): 64 x 64 images.
constexpr int64_t kMaxSamples = 4096;
// The most sampler steps `dgm sample --steps` takes.
constexpr int64_t kMaxSteps = 100000;

inline Range epochs() { return at_least(1); }
inline Range batch_size() { return at_least(1); }
inline Range limit() { return at_least(0).with_note("0: all"); }
inline Range samples() { return closed(0, kMaxSamples).with_note("0: no pictures; at most one 64 x 64 grid"); }
inline Range ema() { return closed_open(0, 1).with_note("0: no EMA"); }
inline Range lr() { return above(0); }
inline Range beta() { return closed_open(0, 1); }
inline Range weight_decay() { return at_least(0); }
inline Range momentum() { return closed_open(0, 1); }
inline Range clip_grad() { return at_least(0).with_note("0: no clipping"); }
inline Range gamma() { return above(0); }
inline Range step_size() { return at_least(1); }
inline Range warmup() { return at_least(0).with_note("0: none"); }
inline Range t_max() { return at_least(0).with_note("0: the whole run"); }
// CPU threads: 1 .. 4 x the hardware threads, and never more than 1024.
Range threads();

}  // namespace dgm::models::train::limits

namespace dgm::models::train {

// Every field of `t` in its range (its optimizers through validate(OptimizerSpec)).
void validate(const TrainSettings& t);

}  // namespace dgm::models::train
