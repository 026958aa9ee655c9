// Elementwise ops on 16M floats, in GB/s (bytes read + written per second),
// beside memcpy of the same buffer (split over the same threads) as the
// bandwidth reference.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstring>

#include "dgm.h"

namespace {

constexpr int64_t kElements = 16 * 1024 * 1024;

void BM_memcpy(benchmark::State& state) {
  dgm::Tensor a = dgm::ones({kElements}), b = dgm::zeros({kElements});
  const int threads = dgm::get_num_threads();
  const int64_t chunk = (kElements + threads - 1) / threads;
  const float* src = a.data_ptr<float>();
  float* dst = b.data_ptr<float>();
  for (auto _ : state) {
    // One memcpy per thread, the same thread count dgm's kernels use.
#pragma omp parallel for num_threads(threads)
    for (int t = 0; t < threads; ++t) {
      const int64_t begin = t * chunk, n = std::min(chunk, kElements - begin);
      if (n > 0) std::memcpy(dst + begin, src + begin, n * sizeof(float));
    }
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * 2 * kElements * sizeof(float));
}
BENCHMARK(BM_memcpy)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_add(benchmark::State& state) {
  dgm::Tensor a = dgm::ones({kElements}), b = dgm::ones({kElements});
  for (auto _ : state) benchmark::DoNotOptimize(a + b);
  state.SetBytesProcessed(state.iterations() * 3 * kElements * sizeof(float));
}
BENCHMARK(BM_add)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_mul(benchmark::State& state) {
  dgm::Tensor a = dgm::ones({kElements}), b = dgm::ones({kElements});
  for (auto _ : state) benchmark::DoNotOptimize(a * b);
  state.SetBytesProcessed(state.iterations() * 3 * kElements * sizeof(float));
}
BENCHMARK(BM_mul)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_exp(benchmark::State& state) {
  dgm::Tensor a = dgm::ones({kElements});
  for (auto _ : state) benchmark::DoNotOptimize(a.exp());
  state.SetBytesProcessed(state.iterations() * 2 * kElements * sizeof(float));
}
BENCHMARK(BM_exp)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
