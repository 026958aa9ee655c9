// One knob for CPU threads: dgm::set_num_threads(n), or the environment
// variable DGM_NUM_THREADS read at startup. It sets both dgm's own loops
// (OpenMP) and OpenBLAS.
#pragma once
#include <cstdint>

namespace dgm {

void set_num_threads(int n);
int get_num_threads();

// Below this many elements a loop runs on one thread: starting threads costs
// more than it saves.
constexpr int64_t kParallelGrain = 32768;

}  // namespace dgm
