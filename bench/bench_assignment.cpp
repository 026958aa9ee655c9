// The exact assignment solver behind OT-CFM's mini-batch pairing (models/flow_matching/earth_movers.h): one B x B
// problem per training step, costs = squared distances between B noise images and B MNIST-sized points (784-D).
// The reference is SciPy's linear_sum_assignment (C, LAPJV-style) on the same kind of costs, timed in the same run
// by bench/torch_reference.py; bench/report.py prints the ratio.
#include <benchmark/benchmark.h>

#include "dgm.h"
#include "models/flow_matching/earth_movers.h"

namespace {

void BM_linear_sum_assignment(benchmark::State& state) {
  const int64_t b = state.range(0);
  dgm::manual_seed(0);
  dgm::Tensor x0 = dgm::randn({b, 784}), x1 = dgm::rand({b, 784});
  dgm::Tensor costs = dgm::models::flow_matching::squared_euclidean_costs(x0, x1).to(dgm::kFloat64);
  for (auto _ : state) benchmark::DoNotOptimize(dgm::models::flow_matching::linear_sum_assignment(costs).cost);
}

}  // namespace

BENCHMARK(BM_linear_sum_assignment)->Arg(64)->Arg(128)->Arg(256)->Unit(benchmark::kMillisecond)->UseRealTime();
