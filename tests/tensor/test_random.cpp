// Random numbers: Philox against the published known answers, determinism,
// thread-count independence, and the distributions' statistics.
//
// Statistical checks use fixed seeds (so they are deterministic), with bounds a
// correct sampler would exceed only rarely: 5 standard errors for means, and
// chi-square statistics against their 0.1% critical values.
#include <algorithm>
#include <map>
#include <set>

#include "tensor/philox.h"
#include "tests/helpers.h"

using namespace dgm;
using Catch::Matchers::Contains;

namespace {

// Upper 0.1% points of the chi-square distribution (tables; e.g. NIST/SEMATECH).
constexpr double kChi2_999_df3 = 16.266;
constexpr double kChi2_999_df5 = 20.515;
constexpr double kChi2_999_df9 = 27.877;
constexpr double kChi2_999_df99 = 148.230;

double chi_square(const std::vector<int64_t>& counts, const std::vector<double>& probs, int64_t n) {
  double chi2 = 0;
  for (size_t k = 0; k < counts.size(); ++k) {
    const double expected = probs[k] * static_cast<double>(n);
    chi2 += (counts[k] - expected) * (counts[k] - expected) / expected;
  }
  return chi2;
}

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

// Restores the thread count a test changed.
struct ThreadsGuard {
  int saved = get_num_threads();
  ~ThreadsGuard() { set_num_threads(saved); }
};

}  // namespace

TEST_CASE("Philox4x32-10 matches the Random123 known-answer vectors", "[random]") {
  using philox::Block;
  auto check = [](Block counter, uint32_t k0, uint32_t k1, Block expected) {
    Block got = philox::philox4x32_10(counter, k0, k1);
    for (int i = 0; i < 4; ++i) CHECK(got.x[i] == expected.x[i]);
  };
  // kat_vectors: philox4x32 10 <ctr x4> <key x2> <output x4>
  check({{0, 0, 0, 0}}, 0, 0, {{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}});
  check({{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}}, 0xffffffffu, 0xffffffffu,
        {{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}});
  check({{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}}, 0xa4093822u, 0x299f31d0u,
        {{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}});
}

TEST_CASE("rand uses counter offset+i and key seed", "[random]") {
  // Seed 0, offset 0: element 0 is the first known-answer block above.
  Generator gen(0);
  Tensor d = rand({1}, kFloat64, &gen);
  const uint64_t bits53 = ((uint64_t{0x6627e8d5u} << 32) | 0xe169c58du) >> 11;
  CHECK(d.item<double>() == static_cast<double>(bits53) / 9007199254740992.0);
  CHECK(gen.offset() == 1);
  gen.manual_seed(0);
  Tensor f = rand({1}, kFloat32, &gen);
  CHECK(f.item<float>() == static_cast<float>(0x6627e8d5u >> 8) / 16777216.0f);
  // Two draws of 5 and 3 are the first 8 numbers of one draw of 8.
  Generator a(123), b(123);
  std::vector<double> head = rand({5}, kFloat64, &a).to_vector<double>();
  std::vector<double> tail = rand({3}, kFloat64, &a).to_vector<double>();
  head.insert(head.end(), tail.begin(), tail.end());
  CHECK(head == rand({8}, kFloat64, &b).to_vector<double>());
}

TEST_CASE("uniform bits never give 1, and Box-Muller never takes log(0)", "[random]") {
  CHECK(philox::uniform_float(0xffffffffu) < 1.0f);
  CHECK(philox::uniform_float(0) == 0.0f);
  CHECK(philox::uniform_double(0xffffffffu, 0xffffffffu) < 1.0);
  philox::Block zeros{{0, 0, 0, 0}}, ones{{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}};
  CHECK(philox::normal_from(zeros) == 0.0);    // u1 = 0 -> radius sqrt(-2 log 1) = 0
  const double z = philox::normal_from(ones);  // u1 = 1 - 2^-53 -> the largest radius
  CHECK(std::isfinite(z));
  CHECK(std::fabs(z) <= std::sqrt(2 * 53 * std::log(2.0)) + 1e-12);
  // float32 uniform_ on [0, 1) never rounds up to 1.
  Generator gen(9);
  std::vector<float> u = rand({200000}, kFloat32, &gen).to_vector<float>();
  CHECK(*std::max_element(u.begin(), u.end()) < 1.0f);
  CHECK(*std::min_element(u.begin(), u.end()) >= 0.0f);
}

TEST_CASE("same seed gives the same numbers; different seeds differ", "[random]") {
  Generator a(42), b(42), c(43);
  Tensor xa = randn({1000}, &a), xb = randn({1000}, &b), xc = randn({1000}, &c);
  CHECK(xa.to_vector<float>() == xb.to_vector<float>());
  CHECK(xa.to_vector<float>() != xc.to_vector<float>());
  CHECK(randn({1000}, &a).to_vector<float>() != xa.to_vector<float>());  // the stream moves on
  CHECK(a.offset() == 2000);
  CHECK(a.seed() == 42);

  // The default generator through manual_seed.
  manual_seed(7);
  std::vector<float> r1 = rand({50}).to_vector<float>();
  std::vector<int64_t> i1 = randint(0, 100, {50}).to_vector<int64_t>();
  manual_seed(7);
  CHECK(rand({50}).to_vector<float>() == r1);
  CHECK(randint(0, 100, {50}).to_vector<int64_t>() == i1);
  CHECK(default_generator().seed() == 7);
}

TEST_CASE("generator state round-trips for checkpoints", "[random]") {
  Generator gen(2024);
  randn({37}, &gen);
  Tensor state = gen.get_state();
  CHECK(state.dtype() == kInt64);
  CHECK(state.to_vector<int64_t>() == std::vector<int64_t>{2024, 37});
  std::vector<float> expected = randn({100}, &gen).to_vector<float>();
  Generator other(1);
  other.set_state(state);
  CHECK(randn({100}, &other).to_vector<float>() == expected);
  gen.set_offset(37);
  CHECK(randn({100}, &gen).to_vector<float>() == expected);
  Generator copy = gen;
  CHECK(rand({10}, &copy).to_vector<float>() == rand({10}, &gen).to_vector<float>());
  CHECK_THROWS_AS(gen.set_state(zeros({3})), Error);
}

TEST_CASE("results do not depend on the thread count", "[random]") {
  ThreadsGuard guard;
  auto draw = [](int threads) {
    set_num_threads(threads);
    Generator gen(5);
    std::vector<double> out = randn({300000}, kFloat64, &gen).to_vector<double>();
    for (double x : rand({100000}, kFloat64, &gen).to_vector<double>()) out.push_back(x);
    for (int64_t x : randint(-5, 5, {100000}, kInt64, &gen).to_vector<int64_t>()) out.push_back(double(x));
    for (double x : bernoulli({100000}, 0.3, kFloat64, &gen).to_vector<double>()) out.push_back(x);
    for (int64_t x : randperm(50000, kInt64, &gen).to_vector<int64_t>()) out.push_back(double(x));
    Tensor probs = rand({64, 100}, kFloat64, &gen);
    for (int64_t x : multinomial(probs, 20, false, &gen).to_vector<int64_t>()) out.push_back(double(x));
    for (int64_t x : multinomial(probs, 200, true, &gen).to_vector<int64_t>()) out.push_back(double(x));
    return out;
  };
  CHECK(draw(1) == draw(2));
}

TEST_CASE("randn has mean 0 and variance 1", "[random]") {
  Generator gen(11);
  const double n = 1e6;
  std::vector<double> z = randn({1000000}, kFloat64, &gen).to_vector<double>();
  Moments m = moments(z);
  CHECK(std::fabs(m.mean) < 5 / std::sqrt(n));         // SE of the mean: 1/sqrt(n)
  CHECK(std::fabs(m.var - 1) < 5 * std::sqrt(2 / n));  // SE of the variance: sqrt(2/n)
  // Tails: P(|Z| > 1.959964) = 0.05, SE sqrt(0.05*0.95/n).
  double tail = 0, fourth = 0;
  for (double x : z) {
    tail += std::fabs(x) > 1.959964;
    fourth += x * x * x * x;
  }
  CHECK(std::fabs(tail / n - 0.05) < 5 * std::sqrt(0.05 * 0.95 / n));
  CHECK(std::fabs(fourth / n - 3) < 5 * std::sqrt(96 / n));  // E Z^4 = 3, Var Z^4 = 105 - 9 = 96

  // float32 and normal(mean, std) too.
  std::vector<double> y = normal(2.0, 3.0, {200000}, kFloat32, &gen).to_vector<double>();
  Moments my = moments(y);
  CHECK(std::fabs(my.mean - 2) < 5 * 3 / std::sqrt(2e5));
  CHECK(std::fabs(my.var / 9 - 1) < 5 * std::sqrt(2 / 2e5));
}

TEST_CASE("rand is uniform on [0, 1)", "[random]") {
  Generator gen(12);
  const int64_t n = 1000000;
  std::vector<double> u = rand({n}, kFloat64, &gen).to_vector<double>();
  std::vector<int64_t> counts(100, 0);
  for (double x : u) {
    REQUIRE(x >= 0);
    REQUIRE(x < 1);
    counts[static_cast<size_t>(x * 100)]++;
  }
  CHECK(chi_square(counts, std::vector<double>(100, 0.01), n) < kChi2_999_df99);
  Moments m = moments(u);
  CHECK(std::fabs(m.mean - 0.5) < 5 * std::sqrt(1.0 / 12 / n));

  std::vector<double> w = uniform(-2, 3, {100000}, kFloat64, &gen).to_vector<double>();
  CHECK(*std::min_element(w.begin(), w.end()) >= -2);
  CHECK(*std::max_element(w.begin(), w.end()) < 3);
  CHECK(std::fabs(moments(w).mean - 0.5) < 5 * 5 / std::sqrt(12 * 1e5));
}

TEST_CASE("randint frequencies pass a chi-square test", "[random]") {
  Generator gen(13);
  const int64_t n = 200000;
  std::vector<int64_t> v = randint(-3, 7, {n}, kInt64, &gen).to_vector<int64_t>();
  std::vector<int64_t> counts(10, 0);
  for (int64_t x : v) {
    REQUIRE(x >= -3);
    REQUIRE(x < 7);
    counts[x + 3]++;
  }
  CHECK(chi_square(counts, std::vector<double>(10, 0.1), n) < kChi2_999_df9);
  CHECK(randint(5, {3}).dtype() == kInt64);
  CHECK(randint(0, 4, {3}, kFloat32).dtype() == kFloat32);
  CHECK_THROWS_WITH(randint(3, 3, {2}), Contains("low < high"));
}

TEST_CASE("bernoulli hits its rate", "[random]") {
  Generator gen(14);
  const double n = 1e6, p = 0.3;
  std::vector<float> b = bernoulli({1000000}, p, {}, &gen).to_vector<float>();
  double ones = 0;
  for (float x : b) {
    REQUIRE((x == 0.0f || x == 1.0f));
    ones += x;
  }
  CHECK(std::fabs(ones / n - p) < 5 * std::sqrt(p * (1 - p) / n));

  // Per-element probabilities; 0 and 1 are exact.
  Tensor probs = tensor(std::vector<double>{0, 1, 0, 1, 0.5}).expand({2000, 5}).contiguous();
  Tensor s = bernoulli(probs, &gen);
  CHECK(s.dtype() == kFloat64);
  CHECK(s.shape() == Shape{2000, 5});
  std::vector<double> col_sum = s.sum({0}).to_vector<double>();
  CHECK(col_sum[0] == 0);
  CHECK(col_sum[1] == 2000);
  CHECK(col_sum[2] == 0);
  CHECK(col_sum[3] == 2000);
  CHECK(std::fabs(col_sum[4] / 2000 - 0.5) < 5 * std::sqrt(0.25 / 2000));
  CHECK_THROWS_AS(bernoulli(tensor(std::vector<double>{1.5})), Error);
}

TEST_CASE("multinomial with replacement matches the probabilities", "[random]") {
  Generator gen(15);
  const int64_t n = 100000;
  // Unnormalized weights; category 2 has weight 0 and must never appear.
  Tensor w = tensor(std::vector<double>{1, 2, 0, 3, 4});
  std::vector<int64_t> v = multinomial(w, n, true, &gen).to_vector<int64_t>();
  std::vector<int64_t> counts(5, 0);
  for (int64_t x : v) counts[x]++;
  CHECK(counts[2] == 0);
  std::vector<int64_t> nonzero{counts[0], counts[1], counts[3], counts[4]};
  CHECK(chi_square(nonzero, {0.1, 0.2, 0.3, 0.4}, n) < kChi2_999_df3);
  // Batched: each row its own distribution.
  Tensor rows = tensor(std::vector<float>{1, 0, 0, 0, 0, 1}, {2, 3});
  Tensor r = multinomial(rows, 4, true, &gen);
  CHECK(r.shape() == Shape{2, 4});
  CHECK(r.dtype() == kInt64);
  CHECK(r.to_vector<int64_t>() == std::vector<int64_t>{0, 0, 0, 0, 2, 2, 2, 2});
}

TEST_CASE("multinomial without replacement draws distinct indices in order", "[random]") {
  Generator gen(16);
  Tensor w = rand({50, 20}, kFloat64, &gen);
  std::vector<int64_t> v = multinomial(w, 20, false, &gen).to_vector<int64_t>();
  for (int b = 0; b < 50; ++b) {
    std::set<int64_t> seen(v.begin() + b * 20, v.begin() + (b + 1) * 20);
    CHECK(seen.size() == 20);  // all 20 categories, each once
  }
  // Ordered pairs from p = (0.5, 0.3, 0.2): P(i then j) = p_i p_j / (1 - p_i).
  const int64_t n = 60000;
  Tensor p = tensor(std::vector<double>{0.5, 0.3, 0.2}).expand({n, 3}).contiguous();
  std::vector<int64_t> pairs = multinomial(p, 2, false, &gen).to_vector<int64_t>();
  std::map<std::pair<int64_t, int64_t>, int64_t> count;
  for (int64_t i = 0; i < n; ++i) count[{pairs[2 * i], pairs[2 * i + 1]}]++;
  std::vector<std::pair<int64_t, int64_t>> keys{{0, 1}, {0, 2}, {1, 0}, {1, 2}, {2, 0}, {2, 1}};
  std::vector<double> probs{0.5 * 0.3 / 0.5, 0.5 * 0.2 / 0.5, 0.3 * 0.5 / 0.7,
                            0.3 * 0.2 / 0.7, 0.2 * 0.5 / 0.8, 0.2 * 0.3 / 0.8};
  std::vector<int64_t> counts;
  for (auto k : keys) counts.push_back(count[k]);
  CHECK(count.size() == 6);  // never the same index twice
  CHECK(chi_square(counts, probs, n) < kChi2_999_df5);
  // A zero weight is never drawn; asking for more than the nonzero ones fails.
  Tensor z = tensor(std::vector<double>{0, 1, 1});
  std::vector<int64_t> two = multinomial(z, 2, false, &gen).to_vector<int64_t>();
  std::sort(two.begin(), two.end());
  CHECK(two == std::vector<int64_t>{1, 2});
  CHECK_THROWS_AS(multinomial(z, 3, false, &gen), Error);
  CHECK_THROWS_AS(multinomial(tensor(std::vector<double>{1, -1}), 1, true, &gen), Error);
}

TEST_CASE("randperm is a uniformly random permutation", "[random]") {
  Generator gen(17);
  std::vector<int64_t> p = randperm(1000, kInt64, &gen).to_vector<int64_t>();
  std::vector<int64_t> sorted = p;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 1000; ++i) CHECK(sorted[i] == i);
  CHECK(p != sorted);
  CHECK(randperm(0).numel() == 0);
  // All 6 orders of 3 items equally likely.
  std::map<std::vector<int64_t>, int64_t> count;
  const int64_t n = 30000;
  for (int64_t i = 0; i < n; ++i) count[randperm(3, kInt64, &gen).to_vector<int64_t>()]++;
  REQUIRE(count.size() == 6);
  std::vector<int64_t> counts;
  for (auto& [perm, c] : count) counts.push_back(c);
  CHECK(chi_square(counts, std::vector<double>(6, 1.0 / 6), n) < kChi2_999_df5);
}

TEST_CASE("uniform_, normal_ and the *_like samplers", "[random]") {
  Generator gen(18);
  Tensor w = zeros({100, 300}, kFloat64);
  w.t().uniform_(-0.5, 0.25, &gen);  // through a non-contiguous view
  std::vector<double> v = w.to_vector<double>();
  CHECK(*std::min_element(v.begin(), v.end()) >= -0.5);
  CHECK(*std::max_element(v.begin(), v.end()) < 0.25);
  CHECK(std::fabs(moments(v).mean + 0.125) < 5 * 0.75 / std::sqrt(12 * 3e4));
  w.normal_(1.0, 0.5, &gen);
  Moments m = moments(w.to_vector<double>());
  CHECK(std::fabs(m.mean - 1.0) < 5 * 0.5 / std::sqrt(3e4));
  CHECK(std::fabs(m.var / 0.25 - 1) < 5 * std::sqrt(2 / 3e4));

  Tensor x = rand_like(w, &gen), y = randn_like(zeros({4, 5}), &gen);
  CHECK(x.shape() == w.shape());
  CHECK(x.dtype() == kFloat64);
  CHECK(y.shape() == Shape{4, 5});
  CHECK(y.dtype() == kFloat32);
  CHECK(rand({2}, TensorOptions().requires_grad()).requires_grad());

  // In place on a tensor that requires grad: only under NoGradGuard.
  Tensor p = zeros({10}).requires_grad_();
  CHECK_THROWS_AS(p.uniform_(), Error);
  {
    NoGradGuard no_grad;
    p.normal_(0, 1, &gen);
  }
  CHECK(p.abs().sum().item() > 0);
  CHECK_THROWS_AS(zeros({3}, kInt64).uniform_(), Error);
  CHECK_THROWS_AS(rand({3}, kInt64), Error);
}
