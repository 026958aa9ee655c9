#include "models/lvm/gmm_pictures.h"

#include <algorithm>

#include "autograd/grad_mode.h"
#include "nn/data/flower_gmm.h"
#include "nn/io/canvas.h"
#include "nn/io/density_map.h"

namespace dgm::models::lvm {

namespace {

constexpr double kBox = 12;  // petal means at radius 6, std sqrt(3) along the radius: 6 + 3.5 sqrt(3) < 12

}  // namespace

void save_gmm_density(const std::string& dir, const GaussianMixture& mixture, const Batch& test_batch) {
  NoGradGuard no_grad;
  const Device device = mixture.means.device();
  auto learned = [&](const Tensor& points) { return mixture.log_prob(points.to(device)).to(Device()); };
  auto truth = [](const Tensor& points) { return nn::data::flower_gmm_log_prob(points); };
  const Tensor data = test_batch.x.to(Device()).to(kFloat32);
  nn::io::write_png(
      dir + "/density.png",
      nn::io::side_by_side(
          {nn::io::render_density_map(learned, -kBox, kBox, -kBox, kBox, 200, data, "learned p(x), test points"),
           nn::io::render_density_map(truth, -kBox, kBox, -kBox, kBox, 200, Tensor(), "true FlowerGMM density")}));
}

}  // namespace dgm::models::lvm
