// Conditional flow matching on 1x32x32 images in [0, 1] (homework 6, lectures 12-13), with the UNet of
// models/diffusion/unet.h as the velocity field v_theta(x, t), t in [0, 1] continuous (UNet num_timesteps = 0):
//
//   loss(x1, x0, t)   x1 the data, x0 ~ N(0, I) the noise (or the batch's `pair`: reflow), t ~ U[0, 1] per example
//     linear path     x_t = t x1 + (1 - t) x0,                      target u = x1 - x0                   (hw6.1)
//     conical path    x_t = t x1 + (1 - (1 - s) t) x0, s = sigma_min, target u = x1 - (1 - s) x0
//                     i.e. p_t(x | x1) = N(t x1, (1 - (1 - s) t)^2 I) (lecture 13), whose conditional field
//                     u_t(x | x1) = (x1 - (1 - s) x) / (1 - (1 - s) t) is the target above at x = x_t.
//                     What differs from the linear path: the path is a Gaussian conditioned on x1 alone, so x0 must
//                     be independent N(0, I) noise (no OT or reflow pairing), and its end p_1(x | x1) = N(x1, s^2 I)
//                     is a small Gaussian instead of the point x1. With s = 0 both paths are the same x_t and u.
//     L = mean (v_theta(x_t, t) - u)^2                                                ("total_loss", per pixel)
//   couplings of (x0, x1) in a batch
//     independent     x0 drawn afresh (CFM)
//     ot              x0 and x1 re-paired by the exact mini-batch OT plan (ot_coupling.h, OT-CFM, hw6.3)
//     pair            the batch carries x0 in `pair` (reflow: pairs (x* = ODE(x0), x0) of a trained model, hw6.2)
//   sample(n, steps)  x0 ~ N(0, I) (n, 1, 32, 32); dx/dt = v_theta(x, t) by odeint on linspace(0, 1, steps)
//                     (ode_options: Euler, the course's; SampleOptions::ode_method picks another for one call,
//                     dopri5 with rtol = atol = 1e-5); out = x(1) clipped to [0, 1]                    (hw6.1)
//
// Pictures of a run: samples.png (default steps) and steps.png (the same noise at 2, 10 and 100 Euler steps).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "models/diffusion/unet.h"
#include "models/model.h"
#include "models/ode/odeint.h"

namespace dgm::models::flow_matching {

enum class ProbabilityPath { linear, conical };
enum class Coupling { independent, ot };

// "linear", "conical" / "independent", "ot"; anything else is a dgm::Error listing them.
ProbabilityPath parse_probability_path(const std::string& name);
Coupling parse_coupling(const std::string& name);

class FlowMatching : public GenerativeModel {
 public:
  // model: a UNet with a continuous time (num_timesteps 0) and no class embedding.
  FlowMatching(std::shared_ptr<diffusion::UNet> model, Coupling coupling = Coupling::independent,
               ProbabilityPath path = ProbabilityPath::linear, double sigma_min = 0);

  // {"total_loss"}: batch.x the data x1 (B, 1, H, W) in [0, 1]; batch.pair the noise x0 when present (reflow),
  // else x0 ~ N(0, I); t ~ U[0, 1]; with the ot coupling x0 and x1 re-paired first.
  Losses loss(const Batch& batch) override;
  // The loss of given x1, x0 (x1's shape) and t (B) float32: nothing drawn, no re-pairing.
  Tensor loss(const Tensor& x1, const Tensor& x0, const Tensor& t);
  // v_theta(x, t): x (B, 1, H, W), t (B) float32 (virtual: tests put an exact field in its place).
  virtual Tensor velocity(const Tensor& x, const Tensor& t);
  // n samples in [0, 1]; options.steps = the number of time points of linspace(0, 1, steps) (0: default_steps;
  // at least 2).
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;
  // x(1) from the noise x0 by odeint on linspace(0, 1, num_steps) with ode_options, not clipped; the solver's
  // counts are added to ode_stats.
  Tensor integrate(const Tensor& x0, int64_t num_steps);
  // (x*, x0): reflow pairs of `size` examples, x0 ~ N(0, I) from gen, x* = integrate(x0, num_steps) clipped to
  // [0, 1], in chunks of batch_size (hw6.2's prepare_dataset for one split).
  std::pair<Tensor, Tensor> prepare_dataset(int64_t size, int64_t num_steps, int64_t batch_size, Generator* gen);

  void save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) override;
  std::vector<std::string> sample_options() const override { return {"steps", "ode_method"}; }
  std::string name() const override { return "FlowMatching"; }
  std::string extra_repr() const override;

  std::shared_ptr<diffusion::UNet> model;  // null in a subclass with a velocity field of its own
  Coupling coupling;
  ProbabilityPath path;
  double sigma_min;
  int64_t default_steps = 100;  // the course's sample(num_steps = 100)
  ode::OdeOptions ode_options;  // the sampler's solver: Euler
  ode::OdeStats ode_stats;      // accumulated by integrate: function evaluations (NFE) and steps
  int64_t image_size = 32;

 protected:
  // No network: for subclasses that define velocity() themselves (a closed-form field, a stand-in in tests); the
  // samples are drawn on the CPU.
  FlowMatching(Coupling coupling, ProbabilityPath path, double sigma_min);

 private:
  void check_options() const;
  Device device() const;
};

}  // namespace dgm::models::flow_matching
