// The matmul ladder, square n x n float32, in GFLOP/s (2 n^3 flops):
//   naive          three loops (bench/teaching_matmul.h)
//   blocked        cache-blocked, i-k-j order (bench/teaching_matmul.h)
//   cblas_sgemm    OpenBLAS called directly on the same buffers: the reference
//   dgm_matmul     dgm::matmul, i.e. the reference plus dgm's front end
// Target: dgm_matmul >= 0.95 of cblas_sgemm for n >= 512. On a shared VM the
// speed drifts between benchmarks, so the ratio is measured by
// BM_matmul_dgm_vs_cblas, which alternates the two calls within each
// iteration and times each one: both see the same machine state.
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <chrono>

#include "bench/teaching_matmul.h"
#include "dgm.h"

namespace {

void set_flops(benchmark::State& state, int64_t n) {
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * n * n * n * static_cast<double>(state.iterations()),
                                                 benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
}

void BM_matmul_naive(benchmark::State& state) {
  const int64_t n = state.range(0);
  dgm::Tensor a = dgm::randn({n, n}), b = dgm::randn({n, n}), c = dgm::empty({n, n});
  for (auto _ : state) dgm::bench::matmul_naive(a.data_ptr<float>(), b.data_ptr<float>(), c.data_ptr<float>(), n, n, n);
  set_flops(state, n);
}

void BM_matmul_blocked(benchmark::State& state) {
  const int64_t n = state.range(0);
  dgm::Tensor a = dgm::randn({n, n}), b = dgm::randn({n, n}), c = dgm::empty({n, n});
  for (auto _ : state)
    dgm::bench::matmul_blocked(a.data_ptr<float>(), b.data_ptr<float>(), c.data_ptr<float>(), n, n, n);
  set_flops(state, n);
}

void BM_matmul_cblas_sgemm(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  dgm::Tensor a = dgm::randn({n, n}), b = dgm::randn({n, n}), c = dgm::empty({n, n});
  for (auto _ : state)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data_ptr<float>(), n, b.data_ptr<float>(),
                n, 0.0f, c.data_ptr<float>(), n);
  set_flops(state, n);
}

void BM_matmul_dgm(benchmark::State& state) {
  const int64_t n = state.range(0);
  dgm::Tensor a = dgm::randn({n, n}), b = dgm::randn({n, n});
  for (auto _ : state) benchmark::DoNotOptimize(dgm::matmul(a, b));
  set_flops(state, n);
}

void BM_matmul_dgm_vs_cblas(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  dgm::Tensor a = dgm::randn({n, n}), b = dgm::randn({n, n}), c = dgm::empty({n, n});
  double t_cblas = 0, t_dgm = 0;
  using clock = std::chrono::steady_clock;
  for (auto _ : state) {
    auto t0 = clock::now();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data_ptr<float>(), n, b.data_ptr<float>(),
                n, 0.0f, c.data_ptr<float>(), n);
    auto t1 = clock::now();
    benchmark::DoNotOptimize(dgm::matmul(a, b));
    auto t2 = clock::now();
    t_cblas += std::chrono::duration<double>(t1 - t0).count();
    t_dgm += std::chrono::duration<double>(t2 - t1).count();
  }
  const double flops = 2.0 * n * n * n * static_cast<double>(state.iterations());
  state.counters["cblas_GFLOPs"] = flops / t_cblas / 1e9;
  state.counters["dgm_GFLOPs"] = flops / t_dgm / 1e9;
  state.counters["dgm_over_cblas"] = t_cblas / t_dgm;
}

BENCHMARK(BM_matmul_naive)->RangeMultiplier(2)->Range(128, 512)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_matmul_blocked)->RangeMultiplier(2)->Range(128, 2048)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_matmul_cblas_sgemm)->RangeMultiplier(2)->Range(128, 2048)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_matmul_dgm)->RangeMultiplier(2)->Range(128, 2048)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_matmul_dgm_vs_cblas)
    ->RangeMultiplier(2)
    ->Range(128, 2048)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(1.0);

}  // namespace
