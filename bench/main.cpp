// dgm_bench: Google Benchmark main that first prints what OpenBLAS runs on.
// Unset OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE before running (see bench/README.md).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>

#include "dgm.h"

extern "C" char* openblas_get_corename();

int main(int argc, char** argv) {
  std::printf("openblas core: %s, dgm threads: %d\n", openblas_get_corename(), dgm::get_num_threads());
  if (std::getenv("OPENBLAS_CORETYPE"))
    std::printf("WARNING: OPENBLAS_CORETYPE=%s is set; OpenBLAS may run slow kernels\n",
                std::getenv("OPENBLAS_CORETYPE"));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
