// The second tier of the course's tests: checks on fresh random inputs against
// reference outputs stored in files made by the reference solution.
//
//   TEST_CASE("PixelCNN forward on random inputs matches the reference", "[hw1][hw1.1]") {
//     dgm::manual_seed(1234);                 // fixed seed: the same inputs and weights every run
//     PixelCNN model(...);
//     Tensor x = dgm::bernoulli(...);
//     Tensor got = model.forward(x);
//     Tensor expected = dgm::course::reference_output("hw1.1_pixelcnn_forward", [&] { return got; });
//     dgm::course::require_close(got, expected, 1e-4, 1e-4);
//   }
//
// Normal runs load tests/course/references/<name>.safetensors and return the
// stored tensor (the `compute` function is not called). With the environment
// variable DGM_WRITE_REFERENCES=1, `compute` runs and its result is saved to that
// file and returned: run the reference solution once that way
//
//   DGM_WRITE_REFERENCES=1 build/bin/dgm_course_tests "[hw1]"
//
// and commit the files. The inputs must come from a fixed seed (dgm::manual_seed,
// or tests/helpers.h's uniform_values) so that a later run sees the same inputs.
// The student tree carries the files too, so a student's run compares against them.
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

// The stored reference output `name` (see above); with DGM_WRITE_REFERENCES=1,
// compute()'s result, saved first.
inline Tensor reference_output(const std::string& name, const std::function<Tensor()>& compute) {
  const std::string path = reference_path(name);
  if (writing_references()) {
    Tensor t = compute().detach().cpu().contiguous();
    std::filesystem::create_directories(reference_dir());
    io::save_safetensors(path, {{"output", t}}, {{"name", name}});
    return t;
  }
  DGM_CHECK(std::filesystem::exists(path), "reference_output: ", path,
            " is missing; make it with the reference solution: DGM_WRITE_REFERENCES=1 build/bin/dgm_course_tests");
  nn::StateDict sd = io::load_safetensors(path);
  auto it = sd.find("output");
  DGM_CHECK(it != sd.end(), "reference_output: ", path, " has no tensor named \"output\"");
  return it->second;
}

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
    bool ok = std::isnan(want[i]) ? std::isnan(got[i])
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

}  // namespace dgm::course
