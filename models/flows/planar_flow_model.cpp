#include "models/flows/planar_flow_model.h"

#include <algorithm>
#include <cmath>

#include "autograd/grad_mode.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/reduction.h"
#include "models/flows/planar_flow.h"
#include "models/flows/radial_flow.h"
#include "nn/data/energies.h"
#include "nn/io/canvas.h"
#include "nn/io/density_map.h"
#include "nn/io/scatter.h"
#include "tensor/factories.h"

namespace dgm::models::flows {

namespace {

constexpr double kLog2Pi = 1.8378770664093454836;

// log N(z; 0, I) = -1/2 |z|^2 - D/2 log(2 pi), (B)
Tensor standard_normal_log_prob(const Tensor& z) {
  return -0.5 * z.square().sum({1}) - 0.5 * static_cast<double>(z.size(1)) * kLog2Pi;
}

}  // namespace

PlanarFlow::PlanarFlow(std::string layer, int64_t dim, int64_t num_layers, std::string energy)
    : layer_kind_(std::move(layer)), energy_(std::move(energy)), dim_(dim) {
  DGM_CHECK(layer_kind_ == "planar" || layer_kind_ == "radial", "PlanarFlow: layer must be 'planar' or 'radial', got '",
            layer_kind_, "'");
  DGM_CHECK(dim >= 1, "PlanarFlow: dim must be positive, got ", dim);
  DGM_CHECK(num_layers >= 1, "PlanarFlow: num_layers must be positive, got ", num_layers);
  if (!energy_.empty()) {
    const std::vector<std::string> names = nn::data::energy_names();
    DGM_CHECK(std::find(names.begin(), names.end(), energy_) != names.end(), "PlanarFlow: unknown energy '", energy_,
              "'; known: u1, u2, u3, u4, ring");
    DGM_CHECK(dim == 2, "PlanarFlow: the energies are 2-D, got dim ", dim);
  }
  for (int64_t k = 0; k < num_layers; ++k) {
    std::shared_ptr<FlowLayer> l;
    if (layer_kind_ == "planar")
      l = std::make_shared<PlanarTransform>(dim);
    else
      l = std::make_shared<RadialTransform>(dim);
    layers_.push_back(register_module("layer" + std::to_string(k), l));
  }
}

std::string PlanarFlow::extra_repr() const {
  return "layer=" + layer_kind_ + ", dim=" + std::to_string(dim_) + ", K=" + std::to_string(layers_.size()) +
         (energy_.empty() ? ", forward KL" : ", reverse KL to " + energy_);
}

void PlanarFlow::check_points(const char* op, const Tensor& x) const {
  DGM_CHECK(x.defined() && x.dim() == 2 && x.size(1) == dim_, "PlanarFlow.", op, ": expected points of shape (B,", dim_,
            "), got ", x.defined() ? shape_str(x.shape()) : std::string("an undefined tensor"));
}

FlowOutput PlanarFlow::to_noise(const Tensor& x) {
  check_points("to_noise", x);
  Tensor h = x, log_det = zeros({x.size(0)}, TensorOptions(x.dtype()).device(x.device()));
  // Forward KL: z = f_K(...f_1(x)); reverse KL: z0 = g_1^{-1}(...g_K^{-1}(x)).
  for (int64_t i = 0; i < num_layers(); ++i) {
    FlowLayer& layer = *layers_[static_cast<size_t>(reverse_kl() ? num_layers() - 1 - i : i)];
    FlowOutput out = layer.forward(h, reverse_kl());
    h = out.z;
    log_det = log_det + log_det_per_example(out.log_det);
  }
  return {h, log_det};
}

FlowOutput PlanarFlow::to_data(const Tensor& z) {
  check_points("to_data", z);
  Tensor h = z, log_det = zeros({z.size(0)}, TensorOptions(z.dtype()).device(z.device()));
  for (int64_t i = 0; i < num_layers(); ++i) {
    FlowLayer& layer = *layers_[static_cast<size_t>(reverse_kl() ? i : num_layers() - 1 - i)];
    FlowOutput out = layer.forward(h, !reverse_kl());
    h = out.z;
    log_det = log_det + log_det_per_example(out.log_det);
  }
  return {h, log_det};
}

// log p(x) = log N(z; 0, I) + log|det dz/dx|
Tensor PlanarFlow::log_prob(const Tensor& x) {
  FlowOutput out = to_noise(x);
  return standard_normal_log_prob(out.z) + out.log_det;
}

std::vector<Tensor> PlanarFlow::path_to_data(const Tensor& z) {
  check_points("path_to_data", z);
  std::vector<Tensor> path{z};
  for (int64_t i = 0; i < num_layers(); ++i) {
    FlowLayer& layer = *layers_[static_cast<size_t>(reverse_kl() ? i : num_layers() - 1 - i)];
    path.push_back(layer.forward(path.back(), !reverse_kl()).z);
  }
  return path;
}

Losses PlanarFlow::loss(const Batch& batch) {
  check_points("loss", batch.x);
  if (!reverse_kl()) {
    // -mean log p(x), nats per point
    Tensor nll = -log_prob(batch.x).mean();
    return {{"loss", nll}};
  }
  const Tensor like = parameters().front();
  Tensor z0 = randn({batch.size(), dim_}, TensorOptions(like.dtype()).device(like.device()));
  FlowOutput out = to_data(z0);
  // E[log q(x) + U(x)] = E[log N(z0) - log|det dx/dz0| + U(x)] = KL(q || p) - log Z
  Tensor loss = (standard_normal_log_prob(z0) - out.log_det + nn::data::energy(energy_, out.z)).mean();
  // The share of draws outside the box [-4,4]^2 the wall confines the target to.
  Tensor outside =
      gt(out.z.detach().abs().amax({1}), scalar_like(nn::data::kEnergyBox, out.z)).to(out.z.dtype()).mean();
  return {{"loss", loss}, {"kl", loss + nn::data::energy_log_normalizer(energy_)}, {"outside_box", outside}};
}

Tensor PlanarFlow::sample(int64_t n, const SampleOptions& options) {
  DGM_CHECK(n >= 0, "PlanarFlow.sample: n must be non-negative, got ", n);
  const Tensor like = parameters().front();
  return to_data(randn({n, dim_}, TensorOptions(like.dtype()).device(like.device()), options.gen)).z;
}

void PlanarFlow::save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) {
  GenerativeModel::save_pictures(dir, test_batch, n_samples, gen);
  if (dim_ != 2) return;
  const Device device = parameters().front().device();
  auto density = [&](const Tensor& points) { return log_prob(points.to(device)).to(Device()); };
  const Tensor data = test_batch.x.to(Device()).to(kFloat32);
  if (reverse_kl()) {
    const double box = nn::data::kEnergyBox;
    auto target = [&](const Tensor& points) { return -nn::data::energy(energy_, points); };
    nn::io::write_png(
        dir + "/energy_vs_flow.png",
        nn::io::side_by_side(
            {nn::io::render_density_map(target, -box, box, -box, box, 160, Tensor(), "exp(-U), " + energy_),
             nn::io::render_density_map(density, -box, box, -box, box, 160, Tensor(), "flow density q")}));
  } else if (data.size(0) > 0) {
    // The test data's box, padded by 0.5.
    const std::vector<double> lo = amin(data, {0}).to_vector<double>(), hi = amax(data, {0}).to_vector<double>();
    nn::io::write_png(dir + "/density.png",
                      nn::io::side_by_side({nn::io::render_density_map(density, lo[0] - 0.5, hi[0] + 0.5, lo[1] - 0.5,
                                                                       hi[1] + 0.5, 200, Tensor(), "flow density"),
                                            nn::io::render_scatter_panels({{"data (test)", data}}, {}, "", 200)}));
  }
  // A 24 x 24 grid of base points on [-2.5, 2.5]^2, coloured by quadrant, after 0, K/4, K/2, 3K/4, K layers.
  constexpr int64_t kSide = 24;
  std::vector<float> grid;
  std::vector<int64_t> quadrant;
  for (int64_t i = 0; i < kSide; ++i)
    for (int64_t j = 0; j < kSide; ++j) {
      const double x = -2.5 + 5.0 * j / (kSide - 1), y = -2.5 + 5.0 * i / (kSide - 1);
      grid.push_back(static_cast<float>(x));
      grid.push_back(static_cast<float>(y));
      quadrant.push_back((x >= 0 ? 0 : 1) + (y >= 0 ? 0 : 2));
    }
  const Tensor z = tensor(grid, {kSide * kSide, 2}, kFloat32).to(parameters().front().dtype()).to(device);
  const std::vector<Tensor> path = path_to_data(z);
  const int64_t K = num_layers();
  nn::io::ScatterPanels panels;
  std::vector<Tensor> labels;
  for (int64_t k : {int64_t{0}, K / 4, K / 2, 3 * K / 4, K}) {
    panels.push_back({"layer " + std::to_string(k), path[static_cast<size_t>(k)].to(Device())});
    labels.push_back(tensor(quadrant, {kSide * kSide}, kInt64));
  }
  nn::io::write_png(
      dir + "/transport.png",
      nn::io::render_scatter_panels(panels, labels, "a grid of base points carried to the data, layer by layer", 220));
}

}  // namespace dgm::models::flows
