// Per-op overhead: tiny tensors, so the time is dgm's bookkeeping (shape
// checks, allocation, graph recording), not arithmetic. PyTorch 1.13 on these
// machines: add on (1,16) 0.9 us; Linear(16,16) forward+backward 20 us.
#include <benchmark/benchmark.h>

#include "dgm.h"

namespace {

void BM_overhead_add_1x16(benchmark::State& state) {
  dgm::Tensor a = dgm::ones({1, 16}), b = dgm::ones({1, 16});
  for (auto _ : state) benchmark::DoNotOptimize(a + b);
}
BENCHMARK(BM_overhead_add_1x16);

void BM_overhead_add_1x16_requires_grad(benchmark::State& state) {
  dgm::Tensor a = dgm::ones({1, 16}).requires_grad_(), b = dgm::ones({1, 16});
  for (auto _ : state) benchmark::DoNotOptimize(a + b);
}
BENCHMARK(BM_overhead_add_1x16_requires_grad);

}  // namespace

namespace {

// Linear(16,16) on one sample, forward + backward, as PyTorch's nn.Linear.
void BM_overhead_linear16_forward_backward(benchmark::State& state) {
  dgm::Tensor x = dgm::randn({1, 16});
  dgm::Tensor w = (dgm::randn({16, 16}) * 0.25).requires_grad_(), b = dgm::zeros({16}).requires_grad_();
  for (auto _ : state) {
    w.set_grad({});
    b.set_grad({});
    dgm::linear(x, w, b).sum().backward();
  }
}
BENCHMARK(BM_overhead_linear16_forward_backward);

}  // namespace
