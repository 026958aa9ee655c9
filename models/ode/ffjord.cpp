#include "models/ode/ffjord.h"

#include <algorithm>

#include "autograd/grad_mode.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/reduction.h"
#include "nn/io/canvas.h"
#include "nn/io/density_map.h"
#include "nn/io/png.h"
#include "nn/io/scatter.h"
#include "tensor/error.h"
#include "tensor/random.h"

namespace dgm::models::ode {

Ffjord::Ffjord(FfjordConfig config) : config_(std::move(config)) {
  DGM_CHECK(config_.dim >= 1, "Ffjord: dim must be positive (got ", config_.dim, ")");
  net_ = register_module("net", std::make_shared<OdeNet>(config_.dim, config_.hidden, config_.activation));
}

std::string Ffjord::extra_repr() const {
  return "dim=" + std::to_string(config_.dim) + ", solver=" + ode_method_name(config_.solver.ode.method) +
         ", trace=" + trace_mode_name(config_.solver.trace) +
         (config_.solver.trace == TraceMode::hutchinson ? " (" + trace_noise_name(config_.solver.noise) + ")" : "") +
         (config_.solver.adjoint ? ", adjoint" : ", backprop through the solver");
}

void Ffjord::check_points(const char* op, const Tensor& x) const {
  DGM_CHECK(x.defined() && x.dim() == 2 && x.size(1) == config_.dim, "Ffjord.", op, ": expected points of shape (B,",
            config_.dim, "), got ", x.defined() ? shape_str(x.shape()) : std::string("an undefined tensor"));
}

PointField Ffjord::field() {
  std::shared_ptr<OdeNet> net = net_;
  return [net](double t, const Tensor& x) { return net->field(t, x); };
}

// log p(x) = log N(x(1); 0, I) - l(1)
Tensor Ffjord::log_prob(const Tensor& x, TraceMode trace, Generator* gen, std::shared_ptr<AdjointStats> stats) {
  check_points("log_prob", x);
  CnfSolver solver = config_.solver;
  solver.trace = trace;
  const CnfResult r = cnf_integrate(field(), x, 0.0, 1.0, parameters(), solver, gen, std::move(stats));
  return standard_normal_log_prob(r.x) - r.delta;
}

Tensor Ffjord::to_data(const Tensor& z) {
  check_points("to_data", z);
  NoGradGuard no_grad;
  const PointField f = field();
  return odeint([&f](double t, const Tensor& x) { return f(t, x); }, z, {1.0, 0.0}, config_.solver.ode).select(0, 1);
}

Losses Ffjord::loss(const Batch& batch) {
  check_points("loss", batch.x);
  auto stats = std::make_shared<AdjointStats>();
  const TraceMode trace = is_training() ? config_.solver.trace : TraceMode::exact;
  // -mean log p(x), nats per point
  Tensor nll = -log_prob(batch.x, trace, nullptr, stats).mean();
  Losses losses{{"loss", nll}, {"nfe", scalar_tensor(static_cast<double>(stats->forward.nfe))}};
  if (!is_training()) {
    // Var_e[e^T J e] at t = 0, averaged over the points (one Hutchinson draw's extra variance)
    AutoGradMode grad_on(true);
    Tensor x = batch.x.detach();
    x.requires_grad_(true);
    const Tensor J = batch_jacobian(net_->field(0.0, x), x, false).detach();
    losses["hutchinson_var"] = hutchinson_variance(J, config_.solver.noise).mean();
  }
  return losses;
}

Tensor Ffjord::sample(int64_t n, const SampleOptions& options) {
  DGM_CHECK(n >= 0, "Ffjord.sample: n must be non-negative, got ", n);
  const Tensor like = parameters().front();
  return to_data(randn({n, config_.dim}, TensorOptions(like.dtype()).device(like.device()), options.gen));
}

void Ffjord::save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) {
  GenerativeModel::save_pictures(dir, test_batch, n_samples, gen);
  const Tensor data = test_batch.x.to(Device()).to(kFloat32);
  if (config_.dim != 2 || data.size(0) == 0) return;
  const Tensor like = parameters().front();
  auto density = [&](const Tensor& points) {
    return log_prob(points.to(like.dtype()).to(like.device()), TraceMode::exact).detach().to(Device());
  };
  // Var_e[e^T J e] of one Rademacher draw at t = 0 (the exact trace's variance is 0), drawn as a heat map of
  // log Var (colours: Var / max Var)
  auto hutchinson_log_var = [&](const Tensor& points) {
    AutoGradMode grad_on(true);
    Tensor x = points.to(like.dtype()).to(like.device());
    x.requires_grad_(true);
    const Tensor J = batch_jacobian(net_->field(0.0, x), x, false).detach();
    return log(hutchinson_variance(J, TraceNoise::rademacher)).to(Device());
  };
  // The test data's box, padded by 0.5.
  const std::vector<double> lo = amin(data, {0}).to_vector<double>(), hi = amax(data, {0}).to_vector<double>();
  const double x0 = lo[0] - 0.5, x1 = hi[0] + 0.5, y0 = lo[1] - 0.5, y1 = hi[1] + 0.5;
  nn::io::write_png(dir + "/density.png",
                    nn::io::side_by_side(
                        {nn::io::render_density_map(density, x0, x1, y0, y1, 160, Tensor(), "density"),
                         nn::io::render_density_map(hutchinson_log_var, x0, x1, y0, y1, 160, Tensor(), "hutch var t=0"),
                         nn::io::render_scatter_panels({{"data (test)", data}}, {}, "", 200)}));
}

}  // namespace dgm::models::ode
