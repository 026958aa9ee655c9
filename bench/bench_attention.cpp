// The attention ladder: the composite (matmul, mask, softmax, matmul, which
// holds the (B*H, L, S) scores) against the fused kernel (blocked online
// softmax, tensor/kernels/attention.h), forward alone and forward + backward,
// at ImageGPT's size (B*H = 256, L = S = 784, head dim 16, causal; also with
// ImageGPT's (L, L) float mask) and a UNet's (B = 32, L = S = 256, d = 64, not
// causal). float32. Counter peak_MB: dgm's allocator peak over the run, the
// inputs included. bench/run puts PyTorch 1.13's composite beside it.
#include <benchmark/benchmark.h>

#include "dgm.h"

namespace {

enum class Path { Composite, Fused };
enum class Mask { None, Causal, Float };

struct Size {
  int64_t heads, L, d;
  Mask mask;
};

Size size_of(int64_t arg) {
  switch (arg) {
    case 0:
      return {256, 784, 16, Mask::Causal};  // ImageGPT
    case 1:
      return {256, 784, 16, Mask::Float};  // ImageGPT, its float mask
    default:
      return {32, 256, 64, Mask::None};  // UNet
  }
}

dgm::Tensor attention(Path path, const Size& s, const dgm::Tensor& q, const dgm::Tensor& k, const dgm::Tensor& v,
                      const dgm::Tensor& float_mask) {
  const bool causal = s.mask == Mask::Causal;
  const dgm::Tensor mask = s.mask == Mask::Float ? float_mask : dgm::Tensor();
  if (path == Path::Composite)
    return std::get<0>(dgm::nn::functional::scaled_dot_product_attention_with_weights(q, k, v, mask, 0.0, causal));
  return dgm::scaled_dot_product_attention(q, k, v, mask, 0.0, causal);
}

template <Path path, bool backward>
void BM_attention(benchmark::State& state) {
  const Size s = size_of(state.range(0));
  dgm::Tensor q = dgm::randn({s.heads, s.L, s.d}), k = dgm::randn({s.heads, s.L, s.d});
  dgm::Tensor v = dgm::randn({s.heads, s.L, s.d}), g = dgm::randn({s.heads, s.L, s.d});
  const dgm::Tensor float_mask = dgm::generate_square_subsequent_mask(s.L);
  if (backward) {
    q.requires_grad_();
    k.requires_grad_();
    v.requires_grad_();
  }
  dgm::cpu_reset_peak_memory_stats();
  for (auto _ : state) {
    if (backward) {
      dgm::Tensor y = attention(path, s, q, k, v, float_mask);
      benchmark::DoNotOptimize(dgm::autograd::grad({y}, {q, k, v}, {g}));
    } else {
      dgm::NoGradGuard no_grad;
      benchmark::DoNotOptimize(attention(path, s, q, k, v, float_mask));
    }
  }
  state.counters["peak_MB"] = static_cast<double>(dgm::cpu_memory_stats().peak_bytes_in_use) / 1e6;
}

void BM_attention_composite_forward(benchmark::State& state) { BM_attention<Path::Composite, false>(state); }
void BM_attention_fused_forward(benchmark::State& state) { BM_attention<Path::Fused, false>(state); }
void BM_attention_composite_forward_backward(benchmark::State& state) { BM_attention<Path::Composite, true>(state); }
void BM_attention_fused_forward_backward(benchmark::State& state) { BM_attention<Path::Fused, true>(state); }

// Arg size: 0 ImageGPT causal, 1 ImageGPT float mask, 2 UNet
#define DGM_ATTENTION_BENCH(fn) \
  BENCHMARK(fn)->ArgName("size")->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0)

DGM_ATTENTION_BENCH(BM_attention_composite_forward);
DGM_ATTENTION_BENCH(BM_attention_fused_forward);
DGM_ATTENTION_BENCH(BM_attention_composite_forward_backward);
DGM_ATTENTION_BENCH(BM_attention_fused_forward_backward);

}  // namespace
