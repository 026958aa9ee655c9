// Elementwise ops on 16M floats, in GB/s (bytes read + written per second),
// beside memcpy of the same buffer as the bandwidth reference.
#include <benchmark/benchmark.h>

#include <cstring>

#include "dgm.h"

namespace {

constexpr int64_t kElements = 16 * 1024 * 1024;

void BM_memcpy(benchmark::State& state) {
  dgm::Tensor a = dgm::ones({kElements}), b = dgm::zeros({kElements});
  for (auto _ : state) {
    std::memcpy(b.raw_data(), a.raw_data(), kElements * sizeof(float));
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
