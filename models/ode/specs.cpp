// The continuous-time models (lectures 10-11, the supplementary deck) as `dgm train` knows them:
//
//   ffjord-moons    FFJORD (ffjord.h) on moons: OdeNet (x, t) -> 64 -> 64 -> 64 -> 2, tanh; gradients by the adjoint
//   ffjord-circles  the same on circles (FFJORD's toy)
//   ffjord-moons-hutchinson  ffjord-moons trained with Hutchinson's estimator (Rademacher e) in the quick preset too
//
// quick (2 CPU cores, < 10 min): fixed-step RK4 with 8 steps on [0, 1], the exact trace (2 VJPs in 2-D) in training,
// moons: 20 epochs of batch 256, Adam lr 3e-3; circles: 40 epochs of batch 128, lr 2e-3.
// course: settings modelled on FFJORD's 2-D experiments (from memory of its train_toy.py defaults, not checked
// against the source): dims 64-64-64, tanh, dopri5 with rtol = atol = 1e-5, Hutchinson with Rademacher e,
// batch 100, Adam lr 1e-3, 10000 iterations = 125 epochs of 8000 points; evaluation always uses the exact trace.
#include "models/ode/specs.h"

#include "models/ode/ffjord.h"
#include "models/train/presets.h"

namespace dgm::models::ode {
namespace {

const char* kNotMeasured = "not measured (no GPU run yet)";

FfjordConfig quick_config(TraceMode trace) {
  FfjordConfig c;
  c.hidden = {64, 64, 64};
  c.solver.ode.method = OdeMethod::rk4;
  c.solver.ode.step_size = 1.0 / 8;
  c.solver.trace = trace;
  c.solver.noise = TraceNoise::rademacher;
  c.solver.adjoint = true;
  return c;
}

FfjordConfig course_config() {
  FfjordConfig c;
  c.hidden = {64, 64, 64};
  c.solver.ode.method = OdeMethod::dopri5;
  c.solver.ode.rtol = 1e-5;
  c.solver.ode.atol = 1e-5;
  c.solver.trace = TraceMode::hutchinson;
  c.solver.noise = TraceNoise::rademacher;
  c.solver.adjoint = true;
  return c;
}

// circles needs more steps than moons before the inner ring separates: 40 epochs of batch 128 at lr 2e-3
void add_ffjord(Registry& r, const std::string& dataset, TraceMode quick_trace, const std::string& quick_expected) {
  ModelSpec s;
  s.name = "ffjord-" + dataset + (quick_trace == TraceMode::hutchinson ? "-hutchinson" : "");
  s.family = "ode";
  s.course = "lectures 10-11, supplementary deck (FFJORD, Hutchinson, adjoint)";
  s.description =
      "FFJORD: continuous normalizing flow dx/dt = f(t, x), OdeNet (x, t) -> 64 -> 64 -> 64 -> 2 (tanh, t in every "
      "layer), log p(x) = log N(x(1)) + int_0^1 tr(df/dx) dt; adjoint gradients; quick: RK4 8 steps, " +
      trace_mode_name(quick_trace) +
      " trace; course: dopri5 1e-5, Hutchinson (Rademacher); density.png: exact-trace density, Hutchinson variance at "
      "t = 0, test data";
  s.loss_unit =
      "loss: NLL, nats per point (test: exact trace); nfe: field evaluations per forward solve; hutchinson_var "
      "(test): mean Var of one Rademacher Hutchinson draw of tr(df/dx) at t = 0";
  s.datasets = {dataset};
  s.toy_size = 10000;  // 8000 train, 2000 test
  TrainSettings quick = dataset == "circles" ? train::settings(40, 128, 2e-3) : train::settings(20, 256, 3e-3);
  quick.samples = 1000;
  quick.expected_time = quick_expected;
  TrainSettings course = train::settings(125, 100, 1e-3);
  course.samples = 1000;
  course.expected_time = kNotMeasured;
  s.presets = {{"quick", quick}, {"course", course}};
  s.make = [quick_trace](const MakeContext& context) {
    return std::make_shared<Ffjord>(context.preset == "course" ? course_config() : quick_config(quick_trace));
  };
  r.add(std::move(s));
}

}  // namespace

void register_models(Registry& r) {
  r.add_family({"ode", "neural ODEs and continuous normalizing flows (FFJORD)", "lectures 10-11, supplementary deck"});
  add_ffjord(r, "moons", TraceMode::exact,
             "test NLL 1.124 nats per point (exact trace; MAF 1.076), NFE 32 per solve, hutchinson_var 6.1; both "
             "moons, a thin bridge between them; 8.0 min wall at load 7.5, 225 s CPU (--threads 1, measured "
             "2026-12-04, beside other runs)");
  add_ffjord(r, "circles", TraceMode::exact,
             "test NLL 1.204 nats per point, hutchinson_var 1.0; both rings in the density (the inner one sharp, the "
             "outer one diffuse), samples on two noisy rings; 14.7 min wall at load 8, 605 s CPU (--threads 1, "
             "measured 2026-12-04, beside other runs). 20 epochs of batch 256 at lr 3e-3 (1.481) left the inner "
             "ring a diffuse disk");
  add_ffjord(r, "moons", TraceMode::hutchinson,
             "test NLL 1.150 nats per point (exact trace at test; trained with Rademacher Hutchinson), "
             "hutchinson_var 5.4; both moons; 18.9 min wall at load 9-13, 245 s CPU (--threads 1, measured "
             "2026-12-04, beside other runs)");
}

}  // namespace dgm::models::ode
