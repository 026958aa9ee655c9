// dgm_cuda_tests: every op on CUDA against the same op on the CPU. Without a
// GPU (or in a build without CUDA) it says why, runs nothing, and passes.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdio>

#include "cuda/cuda.h"

int main(int argc, char* argv[]) {
  if (!dgm::cuda::is_available()) {
    std::printf("dgm_cuda_tests: skipped, no GPU: %s\n", dgm::cuda::unavailable_reason().c_str());
    return 0;
  }
  std::printf("dgm_cuda_tests on %s\n", dgm::cuda::device_name().c_str());
  return Catch::Session().run(argc, argv);
}
