// On/off switches read from the environment (DGM_PROFILE, DGM_DETECT_NAN, DGM_CUDA_SYNC, ...), all read one way:
//   unset or empty -> default_value;  "0" -> off;  anything else ("1", "yes") -> on.
#pragma once

namespace dgm {

bool env_flag(const char* name, bool default_value = false);

}  // namespace dgm
