#include "models/gan/wgan_pictures.h"

#include <algorithm>
#include <cmath>

#include "autograd/grad_mode.h"
#include "nn/io/plot.h"
#include "tensor/factories.h"

namespace dgm::models::gan {

Tensor weight_histogram(const std::vector<Tensor>& weights, int64_t bins, double lo, double hi) {
  DGM_CHECK(bins > 0 && hi > lo, "weight_histogram: expected bins > 0 and hi > lo, got ", bins, " bins over [", lo,
            ", ", hi, "]");
  std::vector<int64_t> counts(static_cast<size_t>(bins), 0);
  NoGradGuard no_grad;
  for (const Tensor& w : weights)
    for (double v : w.detach().cpu().to(kFloat64).contiguous().to_vector<double>()) {
      if (!(v >= lo && v <= hi)) continue;
      const auto k = std::min<int64_t>(bins - 1, static_cast<int64_t>((v - lo) / (hi - lo) * bins));
      ++counts[static_cast<size_t>(k)];
    }
  return tensor(counts, {bins});
}

void save_weight_histogram(const std::string& path, const nn::Module& critic, int64_t bins) {
  const std::vector<Tensor> weights = critic.parameters();
  double m = 0;
  {
    NoGradGuard no_grad;
    for (const Tensor& w : weights) m = std::max(m, w.detach().abs().max().item());
  }
  if (!(m > 0)) m = 1;
  const std::vector<int64_t> counts = weight_histogram(weights, bins, -m, m).to_vector<int64_t>();
  // each bin a flat top between its edges, joined by vertical sides: the outline of the bars
  nn::io::Curve outline{{-m, 0.0}};
  const double width = 2 * m / static_cast<double>(bins);
  for (int64_t k = 0; k < bins; ++k) {
    const double left = -m + width * static_cast<double>(k), count = static_cast<double>(counts[k]);
    outline.emplace_back(left, count);
    outline.emplace_back(left + width, count);
  }
  outline.emplace_back(m, 0.0);
  nn::io::plot_curves(path, {{"weights", outline}}, "critic weights");
}

}  // namespace dgm::models::gan
