// Random numbers on the GPU: every element-wise sampler computes on the GPU
// the very bits the CPU computes (element i from Philox counter offset + i,
// through the same DGM_HD formulas of tensor/random_math.h), and a Generator
// advances by the same number of counters on either device.
//
// No tolerances here: the comparisons are bit for bit (float32 and float64).
// randn uses dgm's own log and cos (tensor/portable_math.h), not the C
// library's, precisely so that this holds.
#include <algorithm>
#include <cstring>

#include "parity.h"
#include "tensor/philox.h"

using namespace dgm;
using dgm::test::uniform_values;

namespace {

const TensorOptions kOnGpu = TensorOptions().device(kCUDA);
TensorOptions on_gpu(DType t) { return TensorOptions(t).device(kCUDA); }

// gpu (a CUDA tensor) and cpu hold the same bits: shape, dtype and every element.
void check_same_bits(const std::string& what, const Tensor& gpu, const Tensor& cpu) {
  INFO(what);
  REQUIRE(gpu.is_cuda());
  REQUIRE(cpu.is_cpu());
  REQUIRE(gpu.shape() == cpu.shape());
  REQUIRE(gpu.dtype() == cpu.dtype());
  auto first_difference = [](const auto& g, const auto& c) {
    for (size_t i = 0; i < g.size(); ++i)
      if (std::memcmp(&g[i], &c[i], sizeof g[i]) != 0) return static_cast<int64_t>(i);
    return int64_t{-1};
  };
  int64_t at = -1;
  switch (cpu.dtype()) {
    case kFloat32:
      at = first_difference(gpu.to_vector<float>(), cpu.to_vector<float>());
      break;
    case kFloat64:
      at = first_difference(gpu.to_vector<double>(), cpu.to_vector<double>());
      break;
    case kInt64:
      at = first_difference(gpu.to_vector<int64_t>(), cpu.to_vector<int64_t>());
      break;
    case kBool: {
      std::vector<bool> g = gpu.to_vector<bool>(), c = cpu.to_vector<bool>();
      for (size_t i = 0; i < g.size() && at < 0; ++i)
        if (g[i] != c[i]) at = static_cast<int64_t>(i);
      break;
    }
  }
  if (at >= 0) {
    std::vector<double> g = gpu.to_vector<double>(), c = cpu.to_vector<double>();
    INFO("first difference at element " << at << ": cuda " << g[at] << ", cpu " << c[at]);
    CHECK(at < 0);
  }
}

// The moments of a sample, in double.
struct Moments {
  double mean = 0, var = 0;
};
Moments moments(const std::vector<double>& v) {
  Moments m;
  for (double x : v) m.mean += x;
  m.mean /= static_cast<double>(v.size());
  for (double x : v) m.var += (x - m.mean) * (x - m.mean);
  m.var /= static_cast<double>(v.size() - 1);
  return m;
}

}  // namespace

TEST_CASE("rand, randn, normal, uniform, randint and bernoulli on CUDA are the CPU's bits", "[cuda][random]") {
  const std::vector<uint64_t> seeds = {0, 1, 42, (uint64_t{1} << 40) + 3, Generator::kDefaultSeed};
  const std::vector<Shape> shapes = {{1}, {7}, {13, 77}, {4097}, {100003}};
  for (uint64_t seed : seeds) {
    for (const Shape& shape : shapes) {
      for (DType t : {kFloat32, kFloat64}) {
        const std::string where = "seed " + std::to_string(seed) + ", shape " + shape_str(shape) + ", " + dtype_name(t);
        Generator cpu(seed), gpu(seed);
        // An odd number of counters drawn first, so the draws below start at an odd offset.
        (void)rand({3, 5}, t, &cpu);
        (void)rand({3, 5}, on_gpu(t), &gpu);
        check_same_bits("rand, " + where, rand(shape, on_gpu(t), &gpu), rand(shape, t, &cpu));
        check_same_bits("randn, " + where, randn(shape, on_gpu(t), &gpu), randn(shape, t, &cpu));
        check_same_bits("normal(-1.5, 0.3), " + where, normal(-1.5, 0.3, shape, on_gpu(t), &gpu),
                        normal(-1.5, 0.3, shape, t, &cpu));
        check_same_bits("uniform(-2, 3), " + where, uniform(-2, 3, shape, on_gpu(t), &gpu),
                        uniform(-2, 3, shape, t, &cpu));
        check_same_bits("uniform(0.1, 0.1 + 1e-7) (rounds to `to` in float32), " + where,
                        uniform(0.1, 0.1 + 1e-7, shape, on_gpu(t), &gpu), uniform(0.1, 0.1 + 1e-7, shape, t, &cpu));
        check_same_bits("randint(-5, 12) as " + std::string(dtype_name(t)) + ", " + where,
                        randint(-5, 12, shape, on_gpu(t), &gpu), randint(-5, 12, shape, t, &cpu));
        check_same_bits("bernoulli(0.3), " + where, bernoulli(shape, 0.3, on_gpu(t), &gpu),
                        bernoulli(shape, 0.3, t, &cpu));
        REQUIRE(gpu.offset() == cpu.offset());
      }
      // Integer and bool outputs.
      Generator cpu(seed), gpu(seed);
      const int64_t wide = int64_t{1} << 62;
      check_same_bits("randint int64 (wide range)", randint(-wide, wide, shape, on_gpu(kInt64), &gpu),
                      randint(-wide, wide, shape, kInt64, &cpu));
      check_same_bits("randint bool", randint(0, 2, shape, on_gpu(kBool), &gpu), randint(0, 2, shape, kBool, &cpu));
      check_same_bits("bernoulli bool", bernoulli(shape, 0.7, on_gpu(kBool), &gpu), bernoulli(shape, 0.7, kBool, &cpu));
      check_same_bits("bernoulli int64", bernoulli(shape, 0.5, on_gpu(kInt64), &gpu),
                      bernoulli(shape, 0.5, kInt64, &cpu));
      REQUIRE(gpu.offset() == cpu.offset());
    }
  }
}

TEST_CASE("bernoulli with a tensor of probabilities on CUDA is the CPU's bits", "[cuda][random]") {
  for (DType t : {kFloat32, kFloat64}) {
    // 0 and 1 exactly, and values in between; a contiguous and a transposed p.
    Tensor p = uniform_values({37, 23}, -0.2, 1.2, 3).clamp(0.0, 1.0).to(t);
    Generator cpu(5), gpu(5);
    check_same_bits("bernoulli(p)", bernoulli(p.cuda(), &gpu), bernoulli(p, &cpu));
    check_same_bits("bernoulli(p^T)", bernoulli(p.cuda().t(), &gpu), bernoulli(p.t(), &cpu));
    CHECK(gpu.offset() == cpu.offset());
    // Probabilities outside [0, 1] (NaN included): the CPU's message, and the
    // generator does not move.
    for (double bad : {1.5, -0.25, std::nan("")}) {
      Tensor q = p.clone();
      {
        NoGradGuard ng;
        q.view({-1}).narrow(0, 100, 1).fill_(bad);
        q.view({-1}).narrow(0, 200, 1).fill_(2.0);  // later in row-major order: not the one reported
      }
      std::string on_cpu, on_gpu;
      try {
        (void)bernoulli(q, &cpu);
      } catch (const dgm::Error& e) {
        on_cpu = e.what();
      }
      const uint64_t before = gpu.offset();
      try {
        (void)bernoulli(q.cuda(), &gpu);
      } catch (const dgm::Error& e) {
        on_gpu = e.what();
      }
      INFO("cpu: " << on_cpu << "\ncuda: " << on_gpu);
      CHECK(!on_cpu.empty());
      CHECK(on_gpu == on_cpu);
      CHECK(gpu.offset() == before);
      CHECK(gpu.offset() == cpu.offset());
    }
  }
}

TEST_CASE("generators advance identically on both devices", "[cuda][random]") {
  Generator cpu(2024), gpu(2024);
  std::vector<int64_t> sizes = {1, 2, 3, 1000, 4097, 31};
  for (int64_t n : sizes) {
    (void)randn({n}, &cpu);
    (void)randn({n}, kOnGpu, &gpu);
    (void)randint(0, 10, {n, 3}, kInt64, &cpu);
    (void)randint(0, 10, {n, 3}, on_gpu(kInt64), &gpu);
    REQUIRE(gpu.offset() == cpu.offset());
  }
  CHECK(cpu.offset() == 4 * (1 + 2 + 3 + 1000 + 4097 + 31));
  // Draws split across devices continue one stream: a CPU draw after a GPU draw
  // gives what the CPU would have drawn next.
  Generator a(77), b(77);
  Tensor head = rand({501}, on_gpu(kFloat64), &a);
  Tensor tail = rand({300}, kFloat64, &a);
  Tensor all = rand({801}, kFloat64, &b);
  check_same_bits("split stream, head", head, all.narrow(0, 0, 501).contiguous());
  CHECK(tail.to_vector<double>() == all.narrow(0, 501, 300).contiguous().to_vector<double>());
  // The state saved from a GPU run restores a CPU run.
  Generator c(9);
  (void)randn({123}, kOnGpu, &c);
  Generator d(1);
  d.set_state(c.get_state());
  check_same_bits("after set_state", randn({50}, kOnGpu, &c), randn({50}, &d));
  // An empty draw takes no counters.
  const uint64_t before = c.offset();
  CHECK(randn({0, 5}, kOnGpu, &c).numel() == 0);
  CHECK(c.offset() == before);
}

TEST_CASE("the default generator, *_like, uniform_ and normal_ on CUDA", "[cuda][random]") {
  manual_seed(7);
  Tensor x = randn({1000}, kOnGpu);
  manual_seed(7);
  check_same_bits("randn with the default generator", x, randn({1000}));

  Generator cpu(11), gpu(11);
  Tensor like = zeros({17, 9}, kFloat64);
  check_same_bits("rand_like", rand_like(like.cuda(), &gpu), rand_like(like, &cpu));
  check_same_bits("randn_like", randn_like(like.cuda(), &gpu), randn_like(like, &cpu));

  // In place, into a transposed view: element i of the draw goes to element i
  // (row-major) of the view, on both devices.
  Tensor w = zeros({30, 20}, kFloat32), wg = w.cuda();
  w.t().uniform_(-0.5, 0.25, &cpu);
  wg.t().uniform_(-0.5, 0.25, &gpu);
  check_same_bits("uniform_ of a transposed view", wg, w);
  w.normal_(1.0, 0.5, &cpu);
  wg.normal_(1.0, 0.5, &gpu);
  check_same_bits("normal_", wg, w);
  CHECK(gpu.offset() == cpu.offset());

  Tensor r = rand({2}, TensorOptions().device(kCUDA).requires_grad());
  CHECK(r.is_cuda());
  CHECK(r.requires_grad());

  // Dropout's mask is a bernoulli draw on the input's device.
  Tensor in = uniform_values({64, 33}, -1, 1, 4).to(kFloat32);
  check_same_bits("dropout", nn::functional::dropout(in.cuda(), 0.3, true, &gpu),
                  nn::functional::dropout(in, 0.3, true, &cpu));
  // randperm and multinomial draw on the CPU and copy: still the same numbers.
  check_same_bits("randperm", randperm(1000, on_gpu(kInt64), &gpu), randperm(1000, kInt64, &cpu));
  Tensor probs = uniform_values({8, 20}, 0, 1, 5).to(kFloat32);
  check_same_bits("multinomial", multinomial(probs.cuda(), 5, false, &gpu), multinomial(probs, 5, false, &cpu));
  CHECK(gpu.offset() == cpu.offset());
}

TEST_CASE("a million normals on CUDA have mean 0 and variance 1", "[cuda][random]") {
  const double n = 1e6;
  Generator gen(123);
  for (DType t : {kFloat64, kFloat32}) {
    Tensor z = randn({1000000}, on_gpu(t), &gen);
    // Moments on the GPU and on the CPU (both must pass).
    Moments m = moments(z.to_vector<double>());
    INFO(dtype_name(t) << ": mean " << m.mean << ", variance " << m.var);
    CHECK(std::fabs(m.mean) < 5 / std::sqrt(n));         // SE of the mean: 1/sqrt(n)
    CHECK(std::fabs(m.var - 1) < 5 * std::sqrt(2 / n));  // SE of the variance: sqrt(2/n)
    CHECK(std::fabs(z.to(kFloat64).mean().item<double>()) < 5 / std::sqrt(n));
  }
  // Uniform: mean 1/2, variance 1/12, all in [0, 1).
  Tensor u = rand({1000000}, on_gpu(kFloat32), &gen);
  CHECK(u.min().item<float>() >= 0.0f);
  CHECK(u.max().item<float>() < 1.0f);
  Moments mu = moments(u.to_vector<double>());
  CHECK(std::fabs(mu.mean - 0.5) < 5 * std::sqrt(1.0 / 12 / n));
  // SE of the sample variance: sqrt((mu4 - sigma^4) / n), mu4 = 1/80 and sigma^4 = 1/144 for U(0, 1).
  CHECK(std::fabs(mu.var - 1.0 / 12) < 5 * std::sqrt((1.0 / 80 - 1.0 / 144) / n));
}

TEST_CASE("dgm's log and cos (randn's, on both devices) are correctly rounded", "[cuda][random]") {
  // Against long double (64-bit significands: their own error is ~2^-11 of a
  // double's ulp), on the very inputs Box-Muller gives them. Correctly rounded
  // means an error of at most half an ulp.
  auto ulps = [](double got, long double exact) {
    const double mag = std::fabs(static_cast<double>(exact));
    const double ulp = std::nextafter(mag, INFINITY) - mag;
    return static_cast<double>(std::fabs(static_cast<long double>(got) - exact) / ulp);
  };
  double worst_log = 0, worst_cos = 0;
  for (uint64_t i = 0; i < 200000; ++i) {
    const philox::Block b = philox::block_at(31, 0, i);
    const double u1 = 1.0 - philox::uniform_double(b.x[0], b.x[1]);
    const double x = portable::mul(6.283185307179586477, philox::uniform_double(b.x[2], b.x[3]));
    if (u1 != 1.0) worst_log = std::max(worst_log, ulps(portable::log(u1), std::log(static_cast<long double>(u1))));
    worst_cos = std::max(worst_cos, ulps(portable::cos(x), std::cos(static_cast<long double>(x))));
  }
  INFO("worst errors in ulps: log " << worst_log << ", cos " << worst_cos);
  CHECK(worst_log < 0.5 + 1e-3);
  CHECK(worst_cos < 0.5 + 1e-3);
  // Exact cases and the ends of the range.
  CHECK(portable::log(1.0) == 0.0);
  CHECK(!std::signbit(portable::log(1.0)));
  CHECK(portable::cos(0.0) == 1.0);
  CHECK(portable::log(0x1p-53) == std::log(0x1p-53));  // -53 ln 2, the largest Box-Muller radius
  CHECK(std::isinf(portable::log(0.0)));
  CHECK(std::isnan(portable::log(-1.0)));
  CHECK(std::isfinite(portable::log(0x1p-1074)));
}
