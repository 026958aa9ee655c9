#include "nn/data/toy_datasets.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <sstream>

#include "nn/data/energies.h"
#include "nn/data/flower_gmm.h"
#include "nn/data/toy2d.h"
#include "tensor/factories.h"

namespace dgm::nn::data {

namespace {

using Make = std::function<ToySet(int64_t n, Generator* gen)>;

struct Entry {
  const char* name;
  int64_t default_size;
  const char* what;  // for the description
  Make make;
};

// sklearn.datasets.make_moons(n_samples=size, noise=0.1) (COURSE.md §1.0 load_dataset, hw4 Task 2, hw5 Task 2).
ToySet moons(int64_t n, Generator* gen) { return make_moons(n, 0.1, true, gen); }

// FFJORD's "circles": make_circles(n, factor=0.5, noise=0.08). Not named in COURSE.md.
ToySet circles(int64_t n, Generator* gen) { return make_circles(n, 0.08, 0.5, true, gen); }

// COURSE.md Seminar 6: "2-D 8-Gaussians ring: scale 2, var 0.02 (used 0.08), divided by 1.414, 20000 points".
ToySet gaussians8(int64_t n, Generator* gen) { return eight_gaussians(n, 2.0, 0.08, gen); }

// FFJORD's "swissroll": make_swiss_roll(noise=1) seen from above, divided by 5. Not named in COURSE.md.
// The roll position t is not a class, so y stays undefined.
ToySet swissroll(int64_t n, Generator* gen) {
  ToySet s = swiss_roll_2d(n, 1.0, gen);
  return {(s.points / 5.0).to(kFloat32), Tensor()};
}

// FFJORD's checkerboard on [-4,4)^2. Not named in COURSE.md.
ToySet board(int64_t n, Generator* gen) { return checkerboard(n, gen); }

// COURSE.md Seminar 8 (ncsn.ipynb): "2-D GMM with probs [0.1, 0.9], means ±[5,5], unit variance".
ToySet gmm2d(int64_t n, Generator* gen) {
  return gaussian_mixture_2d(n, {0.1, 0.9}, {{-5.0, -5.0}, {5.0, 5.0}}, std::vector<double>{1.0, 1.0}, gen);
}

// COURSE.md Seminar 6 [2024]: "1-D target: mixture pi = [0.7, 0.3], mu = [-3, 3], sigma = 1".
ToySet mixture1d(int64_t n, Generator* gen) {
  if (n == 0) return {zeros({0, 1}), zeros({0}, kInt64)};
  const std::vector<int64_t> c = multinomial(tensor(std::vector<double>{0.7, 0.3}), n, true, gen).to_vector<int64_t>();
  const std::vector<double> eps = randn({n}, kFloat64, gen).to_vector<double>();
  std::vector<double> x(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) x[i] = (c[i] == 0 ? -3.0 : 3.0) + eps[i];
  return {tensor(x, {n, 1}, kFloat32), tensor(c, {n}, kInt64)};
}

// COURSE.md Seminar 1 Part 1: "generate_1d_data(count, bins), a 2-Gaussian mixture (0.2 ± 0.05, 0.6 ± 0.15, 50/50)
// quantized to BINS=100, COUNT=1000, 80/20 split". Component 0 is 0.2 ± 0.05; x = min(floor(100 clip(s,0,1)), 99).
ToySet hist1d(int64_t n, Generator* gen) {
  constexpr int64_t kBins = 100;
  const std::vector<double> u = rand({n}, kFloat64, gen).to_vector<double>();
  const std::vector<double> eps = randn({n}, kFloat64, gen).to_vector<double>();
  std::vector<int64_t> x(static_cast<size_t>(n)), c(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    c[i] = u[i] < 0.5 ? 0 : 1;
    const double s = std::clamp(c[i] == 0 ? 0.2 + 0.05 * eps[i] : 0.6 + 0.15 * eps[i], 0.0, 1.0);
    x[i] = std::min(static_cast<int64_t>(std::floor(s * kBins)), kBins - 1);
  }
  return {tensor(x, {n, 1}, kInt64), tensor(c, {n}, kInt64)};
}

// Seminar 3's reverse-KL targets (nn/data/energies.h): exact draws of exp(-U)/Z, confined to [-4,4]^2 by a wall, by
// rejection; no labels.
Make energy_set(const char* energy) {
  return [energy](int64_t n, Generator* gen) { return ToySet{sample_energy(energy, n, gen), Tensor()}; };
}

// COURSE.md Seminar 5: "2-D VAE on N([2,3], diag([3,1]) rotated by 45 degrees or not": x = [2,3] + (eps * [3,1]) R,
// eps ~ N(0, I), sigma = [3,1] standard deviations, R = [[c, c], [-c, c]], c = sqrt(2)/2 (rotated) or I (aligned).
// The density is known: N([2,3], S), S = [[5,4],[4,5]] rotated, diag(9,1) aligned; its entropy (the expected NLL,
// a floor for any model's test NLL) is log(2 pi) + log 3 + 1 = 3.9365 nats. No labels.
Make gaussian_seminar5(bool rotated) {
  return [rotated](int64_t n, Generator* gen) {
    const std::vector<double> eps = randn({n, 2}, kFloat64, gen).to_vector<double>();
    const double c = rotated ? std::sqrt(0.5) : 1.0, s = rotated ? std::sqrt(0.5) : 0.0;
    std::vector<double> x(static_cast<size_t>(2 * n));
    for (int64_t i = 0; i < n; ++i) {
      const double a = 3.0 * eps[2 * i], b = 1.0 * eps[2 * i + 1];  // (a, b) R
      x[2 * i] = 2.0 + a * c - b * s;
      x[2 * i + 1] = 3.0 + a * s + b * c;
    }
    return ToySet{tensor(x, {n, 2}, kFloat32), Tensor()};
  };
}

const std::vector<Entry>& registry() {
  static const std::vector<Entry> entries = {
      {"moons", 5000, "sklearn make_moons, noise 0.1; y = moon id (hw4 DSM uses 5000, hw5 DDPM 20000, S3 flows 10000)",
       moons},
      {"circles", 5000, "make_circles, factor 0.5, noise 0.08 (FFJORD's toy); y = circle id", circles},
      {"8gaussians", 20000, "8-Gaussians ring, scale 2, noise std 0.08, /1.414 (seminar 6); y = center 0..7",
       gaussians8},
      {"swissroll", 5000, "swiss roll seen from above, noise 1, /5 (FFJORD's toy); no labels", swissroll},
      {"checkerboard", 5000, "uniform on the 8 dark squares of [-4,4)^2 (FFJORD's toy); no labels", board},
      {"gmm2d", 5000, "2-D GMM, probs [0.1, 0.9], means ±(5,5), unit variance (seminar 8); y = component", gmm2d},
      {"mixture1d", 5000, "1-D mixture 0.7 N(-3,1) + 0.3 N(3,1) (seminar 6); x (n,1); y = component", mixture1d},
      {"hist1d", 1000,
       "1-D 0.5 N(0.2,0.05^2) + 0.5 N(0.6,0.15^2) clipped to [0,1], quantized to 100 bins (seminar 1); x int64 (n,1) "
       "in 0..99; y = component",
       hist1d},
      {"energy-u1", 16000,
       "exact draws of exp(-U1)/Z confined to [-4,4]^2 (Rezende & Mohamed 2015, seminar 3); no labels",
       energy_set("u1")},
      {"energy-u2", 16000,
       "exact draws of exp(-U2)/Z confined to [-4,4]^2 (Rezende & Mohamed 2015, seminar 3); no labels",
       energy_set("u2")},
      {"energy-u3", 16000,
       "exact draws of exp(-U3)/Z confined to [-4,4]^2 (Rezende & Mohamed 2015, seminar 3); no labels",
       energy_set("u3")},
      {"energy-u4", 16000,
       "exact draws of exp(-U4)/Z confined to [-4,4]^2 (Rezende & Mohamed 2015, seminar 3); no labels",
       energy_set("u4")},
      {"energy-ring", 16000,
       "exact draws of exp(-U)/Z, U = 1/2 ((|z| - 2) / 0.4)^2, confined to [-4,4]^2 (seminar 3); no labels",
       energy_set("ring")},
      {"flower-gmm", 25000, "seminar 4's FlowerGMM, centre + 7 petals (nn/data/flower_gmm.h); y = component",
       flower_gmm},
      {"gaussian-rotated", 15000, "N([2,3], diag(9,1)) rotated by 45 degrees (seminar 5); true NLL 3.94; no labels",
       gaussian_seminar5(true)},
      {"gaussian-aligned", 10000, "N([2,3], diag(9,1)), axis-aligned (seminar 5); true NLL 3.94; no labels",
       gaussian_seminar5(false)},
  };
  return entries;
}

std::string joined_names() {
  std::string s;
  for (const Entry& e : registry()) s += (s.empty() ? "" : ", ") + std::string(e.name);
  return s;
}

Split rows(const ToySet& s, int64_t start, int64_t count) {
  return {s.points.narrow(0, start, count).clone(),
          s.labels.defined() ? s.labels.narrow(0, start, count).clone() : Tensor()};
}

}  // namespace

std::vector<std::string> toy_dataset_names() {
  std::vector<std::string> names;
  for (const Entry& e : registry()) names.emplace_back(e.name);
  return names;
}

ToyData load_toy_dataset(const std::string& name, int64_t size, uint64_t seed) {
  const auto& entries = registry();
  const auto it = std::find_if(entries.begin(), entries.end(), [&](const Entry& e) { return name == e.name; });
  DGM_CHECK(it != entries.end(), "load_toy_dataset: unknown data set '", name, "'; known: ", joined_names());
  DGM_CHECK(size >= 0, "load_toy_dataset: size must be non-negative (0 = the default ", it->default_size, "), got ",
            size);
  const int64_t n = size == 0 ? it->default_size : size;
  Generator gen(seed);
  const ToySet all = it->make(n, &gen);
  const int64_t n_train = n * 4 / 5;  // floor(0.8 n): the first 80 % train
  ToyData d{rows(all, 0, n_train), rows(all, n_train, n - n_train), ""};
  std::ostringstream desc;
  desc << it->name << ": " << it->what << "; " << n << " points, " << n_train << " train / " << n - n_train
       << " test (first 80 % train), seed " << seed;
  d.description = desc.str();
  return d;
}

}  // namespace dgm::nn::data
