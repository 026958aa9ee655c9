#include "nn/data/toy2d.h"

#include <cmath>
#include <numbers>

#include "tensor/factories.h"

namespace dgm::nn::data {

namespace {

constexpr double kPi = std::numbers::pi;

void check_n(const char* who, int64_t n) { DGM_CHECK(n >= 0, who, ": n must be non-negative, got ", n); }

// Draws as float64 vectors from gen (in the order called).
std::vector<double> draw_normal(int64_t count, Generator* gen) {
  return randn({count}, kFloat64, gen).to_vector<double>();
}
std::vector<double> draw_uniform(int64_t count, Generator* gen) {
  return rand({count}, kFloat64, gen).to_vector<double>();
}

// t_i = stop * i / (m - 1) (endpoint) or stop * i / m (no endpoint), as numpy.linspace(0, stop, m).
double grid(double stop, int64_t i, int64_t m, bool endpoint) {
  const int64_t div = endpoint ? m - 1 : m;
  return div > 0 ? stop * static_cast<double>(i) / static_cast<double>(div) : 0.0;
}

// Two labelled point groups (x, y, label) -> shuffled (sklearn's order: shuffle, then noise).
ToySet finish_two_groups(std::vector<double> xy, std::vector<int64_t> labels, double noise, bool shuffle,
                         Generator* gen) {
  const int64_t n = static_cast<int64_t>(labels.size());
  if (shuffle && n > 1) {
    const std::vector<int64_t> perm = randperm(n, kInt64, gen).to_vector<int64_t>();
    std::vector<double> xy2(xy.size());
    std::vector<int64_t> l2(labels.size());
    for (int64_t i = 0; i < n; ++i) {
      xy2[2 * i] = xy[2 * perm[i]];
      xy2[2 * i + 1] = xy[2 * perm[i] + 1];
      l2[i] = labels[perm[i]];
    }
    xy.swap(xy2);
    labels.swap(l2);
  }
  if (noise != 0 && n > 0) {
    const std::vector<double> eps = draw_normal(2 * n, gen);
    for (int64_t i = 0; i < 2 * n; ++i) xy[i] += noise * eps[i];
  }
  return {tensor(xy, {n, 2}, kFloat32), tensor(labels, {n}, kInt64)};
}

}  // namespace

ToySet make_moons(int64_t n, double noise, bool shuffle, Generator* gen) {
  check_n("make_moons", n);
  DGM_CHECK(noise >= 0, "make_moons: noise must be non-negative, got ", noise);
  const int64_t n_out = n / 2, n_in = n - n_out;
  std::vector<double> xy;
  std::vector<int64_t> labels;
  for (int64_t i = 0; i < n_out; ++i) {
    const double t = grid(kPi, i, n_out, true);
    xy.insert(xy.end(), {std::cos(t), std::sin(t)});
    labels.push_back(0);
  }
  for (int64_t i = 0; i < n_in; ++i) {
    const double t = grid(kPi, i, n_in, true);
    xy.insert(xy.end(), {1 - std::cos(t), 1 - std::sin(t) - 0.5});
    labels.push_back(1);
  }
  return finish_two_groups(std::move(xy), std::move(labels), noise, shuffle, gen);
}

ToySet make_circles(int64_t n, double noise, double factor, bool shuffle, Generator* gen) {
  check_n("make_circles", n);
  DGM_CHECK(noise >= 0, "make_circles: noise must be non-negative, got ", noise);
  DGM_CHECK(factor >= 0 && factor < 1, "make_circles: factor must be in [0, 1), got ", factor);
  const int64_t n_out = n / 2, n_in = n - n_out;
  std::vector<double> xy;
  std::vector<int64_t> labels;
  for (int64_t i = 0; i < n_out; ++i) {
    const double t = grid(2 * kPi, i, n_out, false);
    xy.insert(xy.end(), {std::cos(t), std::sin(t)});
    labels.push_back(0);
  }
  for (int64_t i = 0; i < n_in; ++i) {
    const double t = grid(2 * kPi, i, n_in, false);
    xy.insert(xy.end(), {factor * std::cos(t), factor * std::sin(t)});
    labels.push_back(1);
  }
  return finish_two_groups(std::move(xy), std::move(labels), noise, shuffle, gen);
}

ToySet eight_gaussians(int64_t n, double scale, double std, Generator* gen) {
  check_n("eight_gaussians", n);
  DGM_CHECK(std >= 0, "eight_gaussians: std must be non-negative, got ", std);
  const std::vector<int64_t> k = randint(0, 8, {n}, kInt64, gen).to_vector<int64_t>();
  const std::vector<double> eps = draw_normal(2 * n, gen);
  std::vector<double> xy(static_cast<size_t>(2 * n));
  for (int64_t i = 0; i < n; ++i) {
    const double a = static_cast<double>(k[i]) * kPi / 4;
    xy[2 * i] = (scale * std::cos(a) + std * eps[2 * i]) / 1.414;
    xy[2 * i + 1] = (scale * std::sin(a) + std * eps[2 * i + 1]) / 1.414;
  }
  return {tensor(xy, {n, 2}, kFloat32), tensor(k, {n}, kInt64)};
}

ToySet swiss_roll_2d(int64_t n, double noise, Generator* gen) {
  check_n("swiss_roll_2d", n);
  DGM_CHECK(noise >= 0, "swiss_roll_2d: noise must be non-negative, got ", noise);
  const std::vector<double> u = draw_uniform(n, gen);
  const std::vector<double> eps = noise != 0 ? draw_normal(2 * n, gen) : std::vector<double>(2 * n, 0.0);
  std::vector<double> xy(static_cast<size_t>(2 * n)), t(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    t[i] = 1.5 * kPi * (1 + 2 * u[i]);
    xy[2 * i] = t[i] * std::cos(t[i]) + noise * eps[2 * i];
    xy[2 * i + 1] = t[i] * std::sin(t[i]) + noise * eps[2 * i + 1];
  }
  return {tensor(xy, {n, 2}, kFloat32), tensor(t, {n}, kFloat32)};
}

ToySet checkerboard(int64_t n, Generator* gen) {
  check_n("checkerboard", n);
  const std::vector<double> u1 = draw_uniform(n, gen), u2 = draw_uniform(n, gen);
  const std::vector<int64_t> row = randint(0, 2, {n}, kInt64, gen).to_vector<int64_t>();
  std::vector<double> xy(static_cast<size_t>(2 * n));
  for (int64_t i = 0; i < n; ++i) {
    const double x1 = u1[i] * 4 - 2;                             // column in [-2, 2)
    const double x2 = u2[i] - 2.0 * static_cast<double>(row[i])  // row in [0,1) or [-2,-1)
                      + std::fmod(std::floor(x1) + 4, 2.0);      // shifted up 1 in odd columns
    xy[2 * i] = 2 * x1;
    xy[2 * i + 1] = 2 * x2;
  }
  return {tensor(xy, {n, 2}, kFloat32), Tensor()};
}

ToySet gaussian_mixture_2d(int64_t n, const std::vector<double>& probs, const std::vector<std::array<double, 2>>& means,
                           const std::vector<std::array<double, 2>>& stds, Generator* gen) {
  check_n("gaussian_mixture_2d", n);
  const size_t k = probs.size();
  DGM_CHECK(k > 0 && means.size() == k && stds.size() == k, "gaussian_mixture_2d: got ", k, " probs, ", means.size(),
            " means and ", stds.size(), " stds; expected the same positive number of each");
  for (const auto& s : stds)
    DGM_CHECK(s[0] >= 0 && s[1] >= 0, "gaussian_mixture_2d: stds must be non-negative, got (", s[0], ", ", s[1], ")");
  if (n == 0) return {zeros({0, 2}), zeros({0}, kInt64)};
  // multinomial checks the probabilities (finite, non-negative, not all 0).
  const std::vector<int64_t> c = multinomial(tensor(probs), n, true, gen).to_vector<int64_t>();
  const std::vector<double> eps = draw_normal(2 * n, gen);
  std::vector<double> xy(static_cast<size_t>(2 * n));
  for (int64_t i = 0; i < n; ++i) {
    xy[2 * i] = means[c[i]][0] + stds[c[i]][0] * eps[2 * i];
    xy[2 * i + 1] = means[c[i]][1] + stds[c[i]][1] * eps[2 * i + 1];
  }
  return {tensor(xy, {n, 2}, kFloat32), tensor(c, {n}, kInt64)};
}

ToySet gaussian_mixture_2d(int64_t n, const std::vector<double>& probs, const std::vector<std::array<double, 2>>& means,
                           const std::vector<double>& stds, Generator* gen) {
  std::vector<std::array<double, 2>> s2;
  for (double s : stds) s2.push_back({s, s});
  return gaussian_mixture_2d(n, probs, means, s2, gen);
}

}  // namespace dgm::nn::data
