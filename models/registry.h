// The models `dgm train` knows, grouped by family. Each family folder
// registers its own specs (models/ar/specs.cpp, models/vae/specs.cpp, ...);
// the registry only lists them. Tests and programs may add specs of their own,
// before they train (the registry is not locked: add from one thread).
#pragma once
#include <deque>
#include <string>
#include <vector>

#include "models/spec.h"

namespace dgm::models {

struct Family {
  std::string name;    // "ar"
  std::string title;   // "autoregressive models"
  std::string course;  // "lecture 1, homework 1, seminar 1"
};

class Registry {
 public:
  // A dgm::Error if the name is taken or the family unknown.
  void add_family(Family family);
  void add(ModelSpec spec);
  const std::vector<Family>& families() const { return families_; }
  const std::deque<ModelSpec>& specs() const { return specs_; }
  std::vector<const ModelSpec*> specs_of(const std::string& family) const;
  // The spec named `name`; a dgm::Error listing the known models otherwise.
  const ModelSpec& find(const std::string& name) const;

 private:
  std::vector<Family> families_;
  std::deque<ModelSpec> specs_;  // a deque: references handed out stay valid when specs are added
};

// The registry with every family of the course registered.
Registry& registry();
// Shorthands over registry().
const std::deque<ModelSpec>& model_specs();
const ModelSpec& find_model(const std::string& name);

}  // namespace dgm::models
