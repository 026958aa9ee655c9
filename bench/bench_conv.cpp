// conv2d on a PixelCNN layer: batch 64, 64 -> 64 channels, 28x28, kernels 7
// and 3 with "same" padding; forward alone, and forward + backward (input and
// weight gradients). bench/run puts PyTorch's time for the same layer beside it.
#include <benchmark/benchmark.h>

#include "dgm.h"

namespace {

void BM_conv2d_forward(benchmark::State& state) {
  const int64_t k = state.range(0);
  dgm::Tensor x = dgm::randn({64, 64, 28, 28}), w = dgm::randn({64, 64, k, k}) * 0.01, b = dgm::zeros({64});
  for (auto _ : state) benchmark::DoNotOptimize(dgm::conv2d(x, w, b, 1, k / 2));
}
BENCHMARK(BM_conv2d_forward)->Arg(7)->Arg(3)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void BM_conv2d_forward_backward(benchmark::State& state) {
  const int64_t k = state.range(0);
  dgm::Tensor x = dgm::randn({64, 64, 28, 28}).requires_grad_();
  dgm::Tensor w = (dgm::randn({64, 64, k, k}) * 0.01).requires_grad_(), b = dgm::zeros({64}).requires_grad_();
  for (auto _ : state) {
    x.set_grad({});
    w.set_grad({});
    b.set_grad({});
    dgm::conv2d(x, w, b, 1, k / 2).sum().backward();
  }
}
BENCHMARK(BM_conv2d_forward_backward)->Arg(7)->Arg(3)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

}  // namespace

namespace {

// A UNet layer of `dgm train ddpm-mnist-cfg --preset quick` (homework 5): batch 32, C -> C channels, kernel 3,
// padding 1, at H x H: (32, 32x32) and (64, 16x16). Forward + backward (input, weight and bias gradients).
void BM_conv2d_unet_forward_backward(benchmark::State& state) {
  const int64_t c = state.range(0), h = state.range(1);
  dgm::Tensor x = dgm::randn({32, c, h, h}).requires_grad_();
  dgm::Tensor w = (dgm::randn({c, c, 3, 3}) * 0.01).requires_grad_(), b = dgm::zeros({c}).requires_grad_();
  for (auto _ : state) {
    x.set_grad({});
    w.set_grad({});
    b.set_grad({});
    dgm::conv2d(x, w, b, 1, 1).sum().backward();
  }
}
BENCHMARK(BM_conv2d_unet_forward_backward)
    ->Args({32, 32})
    ->Args({64, 16})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(1.0);

}  // namespace
