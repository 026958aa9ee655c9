#include "models/train/optimizers.h"

#include "models/train/finite.h"

#include <cmath>
#include <sstream>

#include "nn/optim/adam.h"
#include "nn/optim/adamw.h"
#include "nn/optim/clip_grad.h"
#include "nn/optim/rmsprop.h"
#include "nn/optim/schedulers.h"
#include "nn/optim/sequential_lr.h"
#include "nn/optim/sgd.h"
#include "tensor/factories.h"

namespace dgm::models::train {

std::string describe(const OptimizerSpec& s) {
  std::ostringstream out;
  out << s.kind << " lr " << s.lr;
  if (s.kind == "adam" || s.kind == "adamw") out << " betas (" << s.beta1 << ", " << s.beta2 << ")";
  if (s.weight_decay > 0) out << " weight decay " << s.weight_decay;
  if (s.momentum > 0) out << " momentum " << s.momentum;
  if (s.clip_grad_norm > 0) out << " clip " << s.clip_grad_norm;
  const ScheduleSpec& c = s.schedule;
  if (c.kind == "step")
    out << ", step schedule per " << c.unit << " (gamma " << c.gamma << " every " << c.step_size << ")";
  if (c.kind == "exponential") out << ", exponential schedule per " << c.unit << " (gamma " << c.gamma << ")";
  if (c.kind == "cosine") {
    out << ", cosine schedule per " << c.unit << " (T_max ";
    if (c.t_max > 0)
      out << c.t_max;
    else
      out << "the run";
    out << ", eta_min " << c.eta_min << ")";
  }
  if (c.warmup > 0) out << ", warm-up " << c.warmup << " " << c.unit << "s";
  return out.str();
}

namespace {

std::shared_ptr<nn::optim::Optimizer> make_optimizer(const std::vector<Tensor>& params, const OptimizerSpec& s) {
  if (s.kind == "sgd")
    return std::make_shared<nn::optim::SGD>(
        params, nn::optim::SGDOptions(s.lr).momentum(s.momentum).weight_decay(s.weight_decay));
  if (s.kind == "adamw")
    return std::make_shared<nn::optim::AdamW>(
        params, nn::optim::AdamWOptions(s.lr).betas({s.beta1, s.beta2}).weight_decay(s.weight_decay));
  if (s.kind == "rmsprop")
    return std::make_shared<nn::optim::RMSprop>(
        params, nn::optim::RMSpropOptions(s.lr).momentum(s.momentum).weight_decay(s.weight_decay));
  return std::make_shared<nn::optim::Adam>(
      params, nn::optim::AdamOptions(s.lr).betas({s.beta1, s.beta2}).weight_decay(s.weight_decay));
}

std::shared_ptr<nn::optim::LRScheduler> make_main_schedule(nn::optim::Optimizer& opt, const ScheduleSpec& c,
                                                           int64_t total) {
  if (c.kind == "step") return std::make_shared<nn::optim::StepLR>(opt, c.step_size, c.gamma);
  if (c.kind == "exponential") return std::make_shared<nn::optim::ExponentialLR>(opt, c.gamma);
  if (c.kind == "cosine")
    return std::make_shared<nn::optim::CosineAnnealingLR>(
        opt, c.t_max > 0 ? c.t_max : std::max<int64_t>(total - c.warmup, 1), c.eta_min);
  return nullptr;
}

}  // namespace

Optimizers::Optimizers(const std::map<std::string, std::vector<Tensor>>& groups,
                       const std::map<std::string, OptimizerSpec>& specs, std::string loss_key, int64_t steps_per_epoch,
                       int64_t epochs)
    : loss_key_(std::move(loss_key)) {
  // No groups is allowed: a model fitted without gradients (EM) has no optimizer, and then neither must the spec.
  for (const auto& [name, params] : groups) {
    auto it = specs.find(name);
    DGM_CHECK(it != specs.end(), "Optimizers: the model's parameter group \"", name,
              "\" has no optimizer in the spec (the spec must name every group)");
    DGM_CHECK(!params.empty(), "Optimizers: parameter group \"", name, "\" is empty");
  }
  for (const auto& [name, spec] : specs)
    DGM_CHECK(groups.count(name), "Optimizers: the spec sets up optimizer \"", name,
              "\" but the model has no such parameter group");
  for (const auto& [name, params] : groups) {
    const OptimizerSpec& spec = specs.at(name);
    validate(spec, "optimizer \"" + name + "\"");
    Entry e;
    e.spec = spec;
    e.optimizer = make_optimizer(params, spec);
    const ScheduleSpec& c = spec.schedule;
    const int64_t total = c.unit == "step" ? steps_per_epoch * epochs : epochs;
    if (c.kind == "cosine" && c.t_max == 0) {
      DGM_CHECK(total > 0, "optimizer \"", name, "\": a cosine schedule over the whole run (t_max 0) needs the run's ",
                "length; give t_max, or the steps per epoch and the epochs");
      DGM_CHECK(c.warmup < total, "optimizer \"", name, "\": the warm-up (", c.warmup, " ", c.unit,
                "s) must be shorter than the run (", total, " ", c.unit, "s) for the cosine schedule to follow it");
    }
    if (c.warmup > 0) {
      auto warm =
          std::make_shared<nn::optim::LinearLR>(*e.optimizer, 1.0 / static_cast<double>(c.warmup), 1.0, c.warmup);
      auto main = make_main_schedule(*e.optimizer, c, total);
      if (main) {
        e.scheduler = std::make_shared<nn::optim::SequentialLR>(
            *e.optimizer, std::vector<std::shared_ptr<nn::optim::LRScheduler>>{warm, main},
            std::vector<int64_t>{c.warmup});
      } else {
        e.scheduler = warm;
      }
    } else {
      e.scheduler = make_main_schedule(*e.optimizer, c, total);
    }
    entries_.emplace(name, std::move(e));
  }
}

const Optimizers::Entry& Optimizers::entry(const std::string& name) const {
  auto it = entries_.find(name);
  if (it != entries_.end()) return it->second;
  std::string known;
  for (const auto& [n, e] : entries_) known += (known.empty() ? "" : ", ") + n;
  DGM_FAIL("Optimizers: no optimizer named \"", name, "\"; this run has: ", known);
}

Optimizers::Entry& Optimizers::entry(const std::string& name) {
  return const_cast<Entry&>(static_cast<const Optimizers&>(*this).entry(name));
}

nn::optim::Optimizer& Optimizers::operator[](const std::string& name) const { return *entry(name).optimizer; }

void Optimizers::zero_grad(const std::string& name) const { entry(name).optimizer->zero_grad(); }

double Optimizers::step(const std::string& name) {
  Entry& e = entry(name);
  if (!gradients_finite(e.optimizer->parameters()))
    throw Diverged(detail::concat("optimizer \"", name, "\" has a NaN or infinite gradient before its step ",
                                  e.steps + 1, "; the step was not taken"));
  double norm = 0;
  if (e.spec.clip_grad_norm > 0) norm = nn::optim::clip_grad_norm_(e.optimizer->parameters(), e.spec.clip_grad_norm);
  e.optimizer->step();
  ++e.steps;
  return norm;
}

void Optimizers::end_step() {
  for (auto& [name, e] : entries_)
    if (e.scheduler && e.spec.schedule.unit == "step") e.scheduler->step();
}

void Optimizers::end_epoch() {
  for (auto& [name, e] : entries_)
    if (e.scheduler && e.spec.schedule.unit == "epoch") e.scheduler->step();
}

std::vector<std::string> Optimizers::names() const {
  std::vector<std::string> out;
  for (const auto& [name, e] : entries_) out.push_back(name);
  return out;
}

const std::string& Optimizers::single() const {
  DGM_CHECK(entries_.size() == 1, "Optimizers: this run has ", entries_.size(),
            " optimizers; a model with several must override train_step and name the one it steps");
  return entries_.begin()->first;
}

const OptimizerSpec& Optimizers::spec(const std::string& name) const { return entry(name).spec; }
int64_t Optimizers::steps(const std::string& name) const { return entry(name).steps; }

nn::StateDict Optimizers::state_dict() const {
  nn::StateDict out;
  for (const auto& [name, e] : entries_) {
    for (const auto& [key, t] : e.optimizer->state_dict()) out[name + ".optimizer." + key] = t;
    if (e.scheduler)
      for (const auto& [key, t] : e.scheduler->state_dict()) out[name + ".scheduler." + key] = t;
    out[name + ".steps"] = scalar_tensor(static_cast<double>(e.steps), kInt64);
  }
  return out;
}

void Optimizers::load_state_dict(const nn::StateDict& dict) {
  for (auto& [name, e] : entries_) {
    auto steps = dict.find(name + ".steps");
    DGM_CHECK(steps != dict.end(), "Optimizers::load_state_dict: no state for optimizer \"", name,
              "\" (was the checkpoint written with other optimizers?)");
    e.optimizer->load_state_dict(nn::with_prefix_removed(dict, name + ".optimizer."));
    if (e.scheduler) e.scheduler->load_state_dict(nn::with_prefix_removed(dict, name + ".scheduler."));
    e.steps = steps->second.item<int64_t>();
  }
}

}  // namespace dgm::models::train
