#include "models/flow_matching/flow_matching.h"

#include <algorithm>
#include <sstream>
#include <tuple>

#include "autograd/grad_mode.h"
#include "autograd/ops/shape_ops.h"
#include "models/flow_matching/ot_coupling.h"
#include "nn/functional/loss.h"
#include "tensor/error.h"
#include "tensor/factories.h"
#include "tensor/random.h"

namespace dgm::models::flow_matching {

ProbabilityPath parse_probability_path(const std::string& name) {
  if (name == "linear") return ProbabilityPath::linear;
  if (name == "conical") return ProbabilityPath::conical;
  DGM_FAIL("FlowMatching: unknown probability path \"", name, "\"; expected linear or conical");
}

Coupling parse_coupling(const std::string& name) {
  if (name == "independent") return Coupling::independent;
  if (name == "ot") return Coupling::ot;
  DGM_FAIL("FlowMatching: unknown coupling \"", name, "\"; expected independent or ot");
}

FlowMatching::FlowMatching(std::shared_ptr<diffusion::UNet> model_, Coupling coupling_, ProbabilityPath path_,
                           double sigma_min_)
    : model(std::move(model_)), coupling(coupling_), path(path_), sigma_min(sigma_min_) {
  DGM_CHECK(model, "FlowMatching: expected a UNet");
  DGM_CHECK(model->continuous_time(),
            "FlowMatching: the UNet must take a continuous time (num_timesteps 0), got T = ", model->num_timesteps);
  DGM_CHECK(model->num_labels == 0, "FlowMatching: the velocity UNet has no class embedding, got num_labels ",
            model->num_labels);
  check_options();
  register_module("model", model);
}

FlowMatching::FlowMatching(Coupling coupling_, ProbabilityPath path_, double sigma_min_)
    : coupling(coupling_), path(path_), sigma_min(sigma_min_) {
  check_options();
}

void FlowMatching::check_options() const {
  DGM_CHECK(sigma_min >= 0 && sigma_min < 1, "FlowMatching: sigma_min must be in [0, 1), got ", sigma_min);
  DGM_CHECK(path == ProbabilityPath::conical || sigma_min == 0, "FlowMatching: sigma_min ", sigma_min,
            " is an option of the conical path, not of the linear one");
  DGM_CHECK(path == ProbabilityPath::linear || coupling == Coupling::independent,
            "FlowMatching: the conical path conditions on x1 alone, with independent noise; the ot coupling needs "
            "the linear path");
}

Device FlowMatching::device() const { return model ? model->head->weight.device() : Device(kCPU); }

std::string FlowMatching::extra_repr() const {
  std::ostringstream os;
  os << "path=" << (path == ProbabilityPath::linear ? "linear" : "conical") << ", sigma_min=" << sigma_min
     << ", coupling=" << (coupling == Coupling::ot ? "ot" : "independent") << ", steps=" << default_steps
     << ", method=" << ode::ode_method_name(ode_options.method);
  return os.str();
}

Tensor FlowMatching::velocity(const Tensor& x, const Tensor& t) {
  DGM_CHECK(model, "FlowMatching: no velocity network (a subclass without one must override velocity)");
  return model->forward(x, t);
}

Losses FlowMatching::loss(const Batch& batch) {
  Tensor x1 = batch.x;
  DGM_CHECK(x1.defined() && x1.dim() == 4, "FlowMatching: expected images (B, 1, H, W), got ",
            x1.defined() ? shape_str(x1.shape()) : std::string("nothing"));
  DGM_CHECK(!batch.has_pair() || path == ProbabilityPath::linear,
            "FlowMatching: paired noise (reflow) needs the linear path; the conical one draws its own");
  DGM_CHECK(!batch.has_pair() || coupling == Coupling::independent,
            "FlowMatching: a batch with paired noise (reflow) cannot be re-paired by the ot coupling");
  // x0 = the paired noise, else ~ N(0, I); t ~ U[0, 1] per example
  Tensor x0 = batch.has_pair() ? batch.pair : randn_like(x1);
  const Tensor t = rand({x1.size(0)}, TensorOptions().device(x1.device()));
  if (coupling == Coupling::ot) {
    // BEGIN SOLUTION hw6.3/loss
    // (x0, x1) <- sample_plan(x0, x1, get_map(x0, x1))
    std::tie(x0, x1) = sample_plan(x0, x1, get_map(x0, x1));
    // END SOLUTION
  }
  return {{"total_loss", loss(x1, x0, t)}};
}

Tensor FlowMatching::loss(const Tensor& x1, const Tensor& x0, const Tensor& t) {
  DGM_CHECK(x1.defined() && x1.dim() == 4 && x0.defined() && x0.shape() == x1.shape() && t.defined() && t.dim() == 1 &&
                t.size(0) == x1.size(0),
            "FlowMatching: loss expects x1 (B, 1, H, W), x0 of its shape and t (B), got ",
            x1.defined() ? shape_str(x1.shape()) : std::string("nothing"), ", ",
            x0.defined() ? shape_str(x0.shape()) : std::string("nothing"), " and ",
            t.defined() ? shape_str(t.shape()) : std::string("nothing"));
  const Tensor tb = t.to(x1.dtype()).reshape({-1, 1, 1, 1});
  // BEGIN SOLUTION hw6.1/loss
  if (path == ProbabilityPath::conical) {
    // x_t = t x1 + (1 - (1 - s) t) x0;  u = x1 - (1 - s) x0
    const Tensor x_t = tb * x1 + (1.0 - (1.0 - sigma_min) * tb) * x0;
    return nn::functional::mse_loss(velocity(x_t, t), x1 - (1.0 - sigma_min) * x0);
  }
  // x_t = t x1 + (1 - t) x0;  L = mean (v_theta(x_t, t) - (x1 - x0))^2
  const Tensor x_t = tb * x1 + (1.0 - tb) * x0;
  return nn::functional::mse_loss(velocity(x_t, t), x1 - x0);
  // END SOLUTION
}

Tensor FlowMatching::integrate(const Tensor& x0, int64_t num_steps) {
  DGM_CHECK(num_steps >= 2, "FlowMatching: the ODE needs at least 2 time points (linspace(0, 1, steps)), got ",
            num_steps);
  NoGradGuard no_grad;
  // BEGIN SOLUTION hw6.1/sample
  // dx/dt = v_theta(x, t) on linspace(0, 1, num_steps); x(1) = the last state
  const ode::OdeFunction f = [this](double t, const Tensor& x) {
    return velocity(x, full({x.size(0)}, t, TensorOptions().device(x.device())));
  };
  const Tensor states = odeint(f, x0, ode::linspace_times(0.0, 1.0, num_steps), ode_options, &ode_stats);
  return states.select(0, states.size(0) - 1);
  // END SOLUTION
}

Tensor FlowMatching::sample(int64_t n, const SampleOptions& options) {
  DGM_CHECK(n > 0, "FlowMatching: sample expects n > 0, got ", n);
  DGM_CHECK(!options.labels.defined() && options.guidance == 0,
            "FlowMatching: the model is unconditional: no labels or guidance");
  // dopri5 chooses its own steps: without an explicit steps it integrates [0, 1] with no intermediate output time
  // (each output time would cut a step short).
  const bool adaptive =
      options.ode_method == "dopri5" || (options.ode_method.empty() && ode_options.method == ode::OdeMethod::dopri5);
  const int64_t steps = options.steps > 0 ? options.steps : (adaptive ? 2 : default_steps);
  DGM_CHECK(steps >= 2, "FlowMatching: steps (time points of linspace(0, 1, steps)) must be >= 2, got ", steps);
  NoGradGuard no_grad;
  const Tensor x0 = randn({n, 1, image_size, image_size}, TensorOptions().device(device()), options.gen);
  // Another solver for this call only (dopri5 with sampling tolerances), restored on the way out.
  const ode::OdeOptions saved = ode_options;
  const int64_t nfe_before = ode_stats.nfe;
  if (!options.ode_method.empty()) {
    ode_options.method = ode::parse_ode_method(options.ode_method);
    if (ode_options.method == ode::OdeMethod::dopri5) ode_options.rtol = ode_options.atol = 1e-5;
  }
  Tensor x1;
  try {
    x1 = integrate(x0, steps);
  } catch (...) {
    ode_options = saved;
    throw;
  }
  ode_options = saved;
  if (options.function_evaluations) *options.function_evaluations += ode_stats.nfe - nfe_before;
  return x1.clamp(0.0, 1.0);
}

std::pair<Tensor, Tensor> FlowMatching::prepare_dataset(int64_t size, int64_t num_steps, int64_t batch_size,
                                                        Generator* gen) {
  DGM_CHECK(size > 0 && batch_size > 0, "FlowMatching: prepare_dataset expects size > 0 and batch_size > 0, got ", size,
            " and ", batch_size);
  NoGradGuard no_grad;
  std::vector<Tensor> xs, noises;
  // BEGIN SOLUTION hw6.2
  // per chunk: x0 ~ N(0, I), x* = clip(ODE(x0), 0, 1) with num_steps time points
  for (int64_t start = 0; start < size; start += batch_size) {
    const int64_t b = std::min(batch_size, size - start);
    const Tensor x0 = randn({b, 1, image_size, image_size}, TensorOptions().device(device()), gen);
    xs.push_back(integrate(x0, num_steps).clamp(0.0, 1.0));
    noises.push_back(x0);
  }
  // END SOLUTION
  return {cat(xs, 0), cat(noises, 0)};
}

}  // namespace dgm::models::flow_matching
