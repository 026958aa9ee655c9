#include "bench/twins/twin_cases.h"

namespace dgm::twins {

std::vector<TwinCase> ddpm2d_twin_cases() { return {}; }

}  // namespace dgm::twins
