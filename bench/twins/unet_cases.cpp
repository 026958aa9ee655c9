#include "bench/twins/twin_cases.h"

namespace dgm::twins {

std::vector<TwinCase> unet_twin_cases() { return {}; }

}  // namespace dgm::twins
