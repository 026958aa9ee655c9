// Sums as a training step runs them, in GB/s of bytes read: a conv bias
// gradient (g.sum({0, 2, 3}) of a UNet activation, (32, 64, 32, 32)), the
// same gradient of a 16x16 level (32, 128, 16, 16), a time embedding's
// broadcast gradient (sum over H, W) and the sum of 16M floats.
#include <benchmark/benchmark.h>

#include "dgm.h"

namespace {

void sum_over(benchmark::State& state, const dgm::Shape& shape, const std::vector<int64_t>& dims) {
  dgm::Tensor x = dgm::randn(shape);
  for (auto _ : state) benchmark::DoNotOptimize(x.sum(dims));
  state.SetBytesProcessed(state.iterations() * x.numel() * static_cast<int64_t>(sizeof(float)));
}

void BM_sum_bias_grad_32x64x32x32(benchmark::State& state) { sum_over(state, {32, 64, 32, 32}, {0, 2, 3}); }
BENCHMARK(BM_sum_bias_grad_32x64x32x32)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_sum_bias_grad_32x128x16x16(benchmark::State& state) { sum_over(state, {32, 128, 16, 16}, {0, 2, 3}); }
BENCHMARK(BM_sum_bias_grad_32x128x16x16)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_sum_spatial_32x64x32x32(benchmark::State& state) { sum_over(state, {32, 64, 32, 32}, {2, 3}); }
BENCHMARK(BM_sum_spatial_32x64x32x32)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_sum_all_16M(benchmark::State& state) { sum_over(state, {16 * 1024 * 1024}, {0}); }
BENCHMARK(BM_sum_all_16M)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
