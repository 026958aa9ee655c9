#include "models/gan/gan_pictures.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "autograd/grad_mode.h"
#include "models/gan/penalties.h"
#include "nn/io/density_map.h"
#include "nn/io/plot.h"
#include "nn/io/scatter.h"
#include "tensor/error.h"
#include "tensor/factories.h"

namespace dgm::models::gan {

void save_value_map(const std::string& path, const ScalarField& field, double x0, double x1, double y0, double y1,
                    const Tensor& points, int resolution) {
  const std::vector<double> grid =
      nn::io::evaluate_log_density_grid(field, x0, x1, y0, y1, resolution).to_vector<double>();
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (double v : grid)
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  const double span = hi > lo ? hi - lo : 1.0;
  // the density map colours exp(value - max value): log((s - lo) / span) makes that linear in s
  auto linear = [&](const Tensor& x) {
    Tensor s = field(x).detach().to(kFloat64).reshape({-1});
    return ((s - lo) / span).clamp_min(0.0).log();
  };
  nn::io::save_density_map(path, linear, x0, x1, y0, y1, resolution, points);
}

Tensor field_gradient_norm(const ScalarField& field, const Tensor& x) {
  AutoGradMode grad_on(true);
  return input_gradient_norm(field, x).detach();
}

void save_value_curves(const std::string& path, const ScalarField& field, double x0, double x1,
                       const std::string& title, int points) {
  DGM_CHECK(x1 > x0 && points >= 2, "save_value_curves: expected x0 < x1 and points >= 2, got ", x0, ", ", x1, ", ",
            points);
  std::vector<float> xs(static_cast<size_t>(points));
  for (int i = 0; i < points; ++i) xs[i] = static_cast<float>(x0 + (x1 - x0) * i / (points - 1));
  Tensor x = tensor(xs, {points, 1}, kFloat32);
  std::vector<double> value, grad;
  {
    NoGradGuard no_grad;
    value = field(x).detach().to(kFloat64).reshape({-1}).to_vector<double>();
  }
  grad = field_gradient_norm(field, x).to(kFloat64).to_vector<double>();
  nn::io::Curve v, g;
  for (int i = 0; i < points; ++i) v.push_back({xs[i], value[i]}), g.push_back({xs[i], grad[i]});
  nn::io::plot_curves(path, {{"critic output", v}, {"gradient norm", g}}, title);
}

void save_weight_histogram(const std::string& path, const std::vector<Tensor>& weights, const std::string& title) {
  std::vector<double> all;
  for (const Tensor& w : weights) {
    const std::vector<double> v = w.detach().cpu().to(kFloat64).contiguous().to_vector<double>();
    all.insert(all.end(), v.begin(), v.end());
  }
  const int64_t n = static_cast<int64_t>(all.size());
  nn::io::save_scatter_panels(path, {{"critic weights", tensor(all, {n, 1}, kFloat64)}}, title);
}

}  // namespace dgm::models::gan
