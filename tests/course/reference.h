// The second tier of the course's tests: checks on random inputs against the
// outputs of the reference solution, stored in files the reference solution made.
//
//   TEST_CASE("PixelCNN on random inputs matches the reference solution", "[hw1][hw1.1][reference]") {
//     ReferenceCase ref("hw1.1_pixelcnn");
//     PixelCNN model({7, 9}, 8, 5, 3, true);
//     ref.parameters(model);                                     // the stored weights
//     Tensor x = ref.input("x", [] { return bernoulli(full({4, 1, 7, 9}, 0.5)); });
//     ref.check("logits", model.forward(x), 1e-4, 1e-4);          // against the stored output
//     ref.finish();
//   }
//
// A case is one file, tests/course/references/<name>.safetensors, holding the
// model's parameters ("param.<name>", or "<model>.param.<name>" for a named
// one of several), the inputs ("input.<key>") and the
// reference solution's outputs ("output.<key>"). Normal runs load it: the
// stored parameters go into the model, input() returns the stored input, and
// check() compares what the code under test computed with the stored output.
// With DGM_WRITE_REFERENCES=1 the reference solution writes it instead: the
// model's freshly initialized parameters, inputs drawn by make(), the values
// given to check(), saved by finish(). Run
//
//   DGM_WRITE_REFERENCES=1 build/bin/dgm_course_tests "[reference]"
//
// on the solution tree and commit the files; the student tree carries them.
// Storing the parameters by name means a case does not depend on the order in
// which a constructor draws its random initial weights.
#pragma once
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>

#include "dgm.h"
#include "nn/io/safetensors.h"

#ifndef DGM_COURSE_REFERENCE_DIR
#define DGM_COURSE_REFERENCE_DIR "tests/course/references"
#endif

namespace dgm::course {

inline std::string reference_dir() {
  if (const char* dir = std::getenv("DGM_COURSE_REFERENCE_DIR")) return dir;
  return DGM_COURSE_REFERENCE_DIR;
}

inline bool writing_references() {
  const char* v = std::getenv("DGM_WRITE_REFERENCES");
  return v != nullptr && std::string(v) == "1";
}

inline std::string reference_path(const std::string& name) { return reference_dir() + "/" + name + ".safetensors"; }

// Same shape, and every element within atol + rtol*|expected| (NaN matches NaN).
inline void require_close(const Tensor& actual, const Tensor& expected, double atol = 1e-5, double rtol = 1e-5) {
  INFO("actual shape " << shape_str(actual.shape()) << ", expected shape " << shape_str(expected.shape()));
  REQUIRE(actual.shape() == expected.shape());
  std::vector<double> got = actual.detach().cpu().contiguous().to_vector<double>();
  std::vector<double> want = expected.detach().cpu().contiguous().to_vector<double>();
  REQUIRE(got.size() == want.size());
  size_t worst = 0;
  double worst_excess = 0;
  size_t bad = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    bool ok = std::isnan(want[i])   ? std::isnan(got[i])
              : std::isinf(want[i]) ? got[i] == want[i]
                                    : std::fabs(got[i] - want[i]) <= atol + rtol * std::fabs(want[i]);
    if (!ok) {
      double excess = std::isfinite(want[i]) && std::isfinite(got[i]) ? std::fabs(got[i] - want[i]) : INFINITY;
      if (bad == 0 || excess > worst_excess) worst = i, worst_excess = excess;
      ++bad;
    }
  }
  INFO(bad << " of " << got.size() << " elements differ; worst: element " << worst << " got "
           << (got.empty() ? 0.0 : got[worst]) << ", expected " << (want.empty() ? 0.0 : want[worst]));
  REQUIRE(bad == 0);
}

// For a statistical check of a sampler: the frequency of an event over n
// independent draws must lie within 5 standard deviations of the reference
// solution's probability p (a correct sampler fails about once in 1.7 million).
inline void check_frequency(const std::string& what, double frequency, double p, int64_t n) {
  const double sd = std::sqrt(p * (1 - p) / static_cast<double>(n));
  INFO(what << ": frequency " << frequency << " over " << n << " draws, the reference solution's probability " << p
            << " (5 sd = " << 5 * sd << ")");
  CHECK(std::fabs(frequency - p) <= 5 * sd + 1e-3);
}

class ReferenceCase {
 public:
  explicit ReferenceCase(std::string name)
      : name_(std::move(name)), path_(reference_path(name_)), writing_(writing_references()) {
    if (writing_) return;
    DGM_CHECK(std::filesystem::exists(path_), "reference case ", name_, ": ", path_,
              " is missing; make it with the reference solution: DGM_WRITE_REFERENCES=1 "
              "build/bin/dgm_course_tests \"[reference]\"");
    stored_ = nn::io::load_safetensors(path_);
  }

  bool writing() const { return writing_; }

  // Writing: stores m's parameters and buffers. Reading: loads the stored ones
  // into m; their names and shapes must be the ones the task asks for. A case
  // with several models names each (`model`).
  void parameters(nn::Module& m, const std::string& model = "") {
    const std::string prefix = model.empty() ? "param." : model + ".param.";
    if (writing_) {
      for (const auto& [key, t] : m.state_dict()) stored_[prefix + key] = t.detach().cpu().contiguous();
      return;
    }
    nn::StateDict state;
    for (const auto& [key, t] : stored_)
      if (key.rfind(prefix, 0) == 0) state[key.substr(prefix.size())] = t;
    INFO("reference case " << name_ << ": the model's parameters must have the names and shapes the task gives");
    REQUIRE_NOTHROW(m.load_state_dict(state));
  }

  // Writing: make()'s result, stored. Reading: the stored input (make() is not called).
  Tensor input(const std::string& key, const std::function<Tensor()>& make) {
    return make_or_load("input." + key, make);
  }

  // Writing: stores value as the reference output `key`. Reading: value must
  // match it within atol + rtol * |expected|.
  void check(const std::string& key, const Tensor& value, double atol, double rtol) {
    Tensor want = make_or_load("output." + key, [&] { return value; });
    INFO("reference case " << name_ << ", output \"" << key << "\"");
    require_close(value, want, atol, rtol);
  }

  // The stored reference output `key` (writing: value(), stored and returned).
  Tensor expected(const std::string& key, const std::function<Tensor()>& value) {
    return make_or_load("output." + key, value);
  }

  // Writing: saves the file (atomically). Reading: nothing.
  void finish() {
    if (!writing_) return;
    std::filesystem::create_directories(reference_dir());
    nn::io::save_safetensors(path_, stored_, {{"case", name_}});
  }

 private:
  Tensor make_or_load(const std::string& full_key, const std::function<Tensor()>& make) {
    if (writing_) return stored_[full_key] = make().detach().cpu().contiguous();
    return stored(full_key);
  }

  Tensor stored(const std::string& full_key) const {
    auto it = stored_.find(full_key);
    DGM_CHECK(it != stored_.end(), "reference case ", name_, ": ", path_, " has no \"", full_key,
              "\"; remake it: DGM_WRITE_REFERENCES=1 build/bin/dgm_course_tests \"[reference]\"");
    return it->second;
  }

  std::string name_, path_;
  bool writing_;
  nn::StateDict stored_;
};

}  // namespace dgm::course
