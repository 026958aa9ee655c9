// The CUDA API of a build without CUDA: nothing is available.
#include "cuda/cuda.h"

namespace dgm::cuda {

bool is_available() { return false; }
bool is_built() { return false; }
int device_count() { return 0; }
std::string unavailable_reason() { return "dgm was built without CUDA (DGM_CUDA=OFF or nvcc/cuBLAS/cuDNN not found)"; }
std::string device_name() { return ""; }
void synchronize() {}
MemoryStats memory_stats() { return {}; }
void empty_cache() {}
void reset_peak_memory_stats() {}

}  // namespace dgm::cuda
