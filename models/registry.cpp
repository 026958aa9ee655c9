#include "models/registry.h"

#include "models/ar/specs.h"
#include "models/diffusion/specs.h"
#include "models/eval/specs.h"
#include "models/flow_matching/specs.h"
#include "models/flows/specs.h"
#include "models/gan/specs.h"
#include "models/lvm/specs.h"
#include "models/ode/specs.h"
#include "models/score/specs.h"
#include "models/sde/specs.h"
#include "models/vae/specs.h"
#include "models/vqvae/specs.h"

namespace dgm::models {

const TrainSettings& ModelSpec::preset(const std::string& preset_name) const {
  auto it = presets.find(preset_name);
  if (it != presets.end()) return it->second;
  std::string known;
  for (const auto& [n, p] : presets) known += (known.empty() ? "" : ", ") + n;
  DGM_FAIL("model \"", name, "\" has no preset \"", preset_name, "\"; it has: ", known);
}

void Registry::add_family(Family family) {
  for (const Family& f : families_)
    DGM_CHECK(f.name != family.name, "Registry::add_family: family \"", family.name, "\" is registered already");
  families_.push_back(std::move(family));
}

void Registry::add(ModelSpec spec) {
  bool family_known = false;
  for (const Family& f : families_) family_known |= f.name == spec.family;
  DGM_CHECK(family_known, "Registry::add: model \"", spec.name, "\" names unknown family \"", spec.family, "\"");
  for (const ModelSpec& s : specs_)
    DGM_CHECK(s.name != spec.name, "Registry::add: model \"", spec.name, "\" is registered already");
  DGM_CHECK(spec.make, "Registry::add: model \"", spec.name, "\" has no make function");
  DGM_CHECK(spec.presets.count("quick") && spec.presets.count("course"), "Registry::add: model \"", spec.name,
            "\" needs both a quick and a course preset");
  DGM_CHECK(!spec.datasets.empty(), "Registry::add: model \"", spec.name, "\" names no data set");
  DGM_CHECK(spec.from.empty() || spec.stage_data, "Registry::add: two-stage model \"", spec.name, "\" starts from \"",
            spec.from, "\" but has no stage_data");
  for (const auto& [preset_name, settings] : spec.presets)
    for (const auto& [opt_name, opt] : settings.optimizers)
      train::validate(opt, "model \"" + spec.name + "\" preset " + preset_name + " optimizer \"" + opt_name + "\"");
  specs_.push_back(std::move(spec));
}

std::vector<const ModelSpec*> Registry::specs_of(const std::string& family) const {
  std::vector<const ModelSpec*> out;
  for (const ModelSpec& s : specs_)
    if (s.family == family) out.push_back(&s);
  return out;
}

const ModelSpec& Registry::find(const std::string& name) const {
  std::string known;
  for (const ModelSpec& s : specs_) {
    if (s.name == name) return s;
    known += (known.empty() ? "" : ", ") + s.name;
  }
  DGM_FAIL("unknown model \"", name, "\"; known models: ", known, " (see `dgm list`)");
}

Registry& registry() {
  static Registry* reg = [] {
    auto* r = new Registry();
    ar::register_models(*r);
    vae::register_models(*r);
    flows::register_models(*r);
    lvm::register_models(*r);
    vqvae::register_models(*r);
    gan::register_models(*r);
    score::register_models(*r);
    diffusion::register_models(*r);
    sde::register_models(*r);
    flow_matching::register_models(*r);
    ode::register_models(*r);
    eval::register_models(*r);
    return r;
  }();
  return *reg;
}

const std::deque<ModelSpec>& model_specs() { return registry().specs(); }
const ModelSpec& find_model(const std::string& name) { return registry().find(name); }

}  // namespace dgm::models
