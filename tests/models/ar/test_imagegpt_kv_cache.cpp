// The key-value cache sampler of ImageGPT (models/ar/imagegpt_kv_cache.h),
// checked against the model's own forward pass and its course sampler, in
// float64 so that the two paths agree to rounding.
#include "models/ar/imagegpt.h"
#include "models/ar/imagegpt_kv_cache.h"
#include "tests/helpers.h"

using namespace dgm;
using dgm::models::ImageGPT;
using dgm::models::ImageGPTKVCache;

namespace {

// A float64 ImageGPT whose every parameter is random (the default init leaves
// sos, biases and LayerNorm affine at 0/1, which would hide a missing term).
std::shared_ptr<ImageGPT> random_model(int64_t height, int64_t width, int64_t layers) {
  manual_seed(5);
  auto model = std::make_shared<ImageGPT>(std::pair<int64_t, int64_t>{height, width}, 8, 2, layers);
  model->to(kFloat64);
  model->eval();
  NoGradGuard no_grad;
  Generator gen(11);
  for (auto& [name, p] : model->named_parameters()) p.copy_(randn(p.shape(), TensorOptions(kFloat64), &gen) * 0.5);
  return model;
}

}  // namespace

TEST_CASE("ImageGPT key-value cache: step t's logits are forward's logits at t", "[models][imagegpt]") {
  auto model = random_model(3, 4, 2);
  const int64_t B = 3, L = 12;
  Tensor x = randint(0, 2, {B, L}, kInt64);
  NoGradGuard no_grad;
  Tensor expected = model->forward(x).view({B, L});  // (B, L)
  ImageGPTKVCache cache(*model, B);
  for (int64_t t = 0; t < L; ++t) {
    Tensor got = cache.next_logits(t == 0 ? Tensor() : x.select(1, t - 1));
    INFO("position " << t);
    REQUIRE(got.shape() == Shape{B});
    CHECK((got - expected.select(1, t)).abs().max().item() < 1e-12);
  }
  CHECK(cache.steps() == L);
  // every position is done: one more step is an error, not a write past the cache
  CHECK_THROWS_AS(cache.next_logits(x.select(1, L - 1)), Error);
}

TEST_CASE("ImageGPT key-value cache draws what sample() draws from the same generator", "[models][imagegpt]") {
  auto model = random_model(4, 3, 3);
  Generator g1(2024), g2(2024);
  Tensor slow = model->sample(5, &g1);
  Tensor logits;
  Tensor fast = models::sample_with_kv_cache(*model, 5, &g2, &logits);
  REQUIRE(fast.shape() == Shape{5, 1, 4, 3});
  CHECK(fast.dtype() == slow.dtype());
  CHECK(fast.eq(slow).all().item() == 1.0);
  // the returned logits are forward's on the drawn images
  NoGradGuard no_grad;
  CHECK((model->forward(fast).view({5, 12}) - logits).abs().max().item() < 1e-12);
  // generate() uses the cache: the same draws again
  Generator g3(2024);
  CHECK(model->generate(5, &g3).eq(slow).all().item() == 1.0);
}

namespace {
// An ImageGPT whose forward is not the structure the cache assumes.
struct ShiftedImageGPT : ImageGPT {
  using ImageGPT::ImageGPT;
  Tensor forward(const Tensor& x) override { return ImageGPT::forward(x) + 3.0; }
};
}  // namespace

TEST_CASE("ImageGPT::generate falls back to sample() when the cache disagrees with forward", "[models][imagegpt]") {
  manual_seed(3);
  ShiftedImageGPT model(std::pair<int64_t, int64_t>{2, 3}, 8, 2, 1);
  model.eval();
  Generator g1(7), g2(7);
  Tensor via_generate = model.generate(6, &g1);
  // generate consumed the cache's draws, then sampled: compare with sample() after the same draws
  models::sample_with_kv_cache(model, 6, &g2);
  CHECK(via_generate.eq(model.sample(6, &g2)).all().item() == 1.0);
}

TEST_CASE("ImageGPT key-value cache: bad use is a dgm::Error", "[models][imagegpt]") {
  auto model = random_model(2, 2, 1);
  CHECK_THROWS_AS(ImageGPTKVCache(*model, 0), Error);
  ImageGPTKVCache cache(*model, 2);
  {
    // the cache is for sampling: with grad mode on it refuses
    CHECK_THROWS_AS(cache.next_logits(Tensor()), Error);
  }
  NoGradGuard no_grad;
  cache.next_logits(Tensor());
  CHECK_THROWS_AS(cache.next_logits(zeros({3}, kInt64)), Error);  // 3 tokens for a batch of 2
  CHECK_THROWS_AS(models::sample_with_kv_cache(*model, 0), Error);
}
