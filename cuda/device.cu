// Is there a GPU, which one, and the launch check every kernel calls.
#include <mutex>

#include "cuda/cuda.h"
#include "cuda/runtime.h"
#include "tensor/environment.h"

namespace dgm::cuda {
namespace {
struct Probe {
  int count = 0;
  std::string reason;
};
// cudaGetDeviceCount once: it fails cleanly when there is no driver or GPU.
const Probe& probe() {
  static const Probe p = [] {
    Probe r;
    cudaError_t e = cudaGetDeviceCount(&r.count);
    if (e != cudaSuccess) {
      r.count = 0;
      r.reason = std::string("cudaGetDeviceCount: ") + cudaGetErrorString(e);
      cudaGetLastError();  // clear the sticky error
    } else if (r.count == 0) {
      r.reason = "no CUDA device found";
    }
    return r;
  }();
  return p;
}
bool sync_after_launch() {
#ifndef NDEBUG
  return true;
#else
  static const bool on = env_flag("DGM_CUDA_SYNC");
  return on;
#endif
}
}  // namespace

bool is_built() { return true; }
bool is_available() { return probe().count > 0; }
int device_count() { return probe().count; }
std::string unavailable_reason() { return probe().reason; }

std::string device_name() {
  if (!is_available()) return "";
  cudaDeviceProp prop;
  DGM_CUDA_CHECK(cudaGetDeviceProperties(&prop, 0), "device_name");
  return prop.name;
}

void synchronize() {
  if (is_available()) DGM_CUDA_CHECK(cudaDeviceSynchronize(), "synchronize");
}

void check_launch(const char* op) {
  cudaError_t e = cudaGetLastError();
  if (e == cudaSuccess && sync_after_launch()) e = cudaDeviceSynchronize();
  if (e != cudaSuccess) DGM_FAIL(op, ": CUDA kernel failed: ", cudaGetErrorString(e));
}

}  // namespace dgm::cuda
