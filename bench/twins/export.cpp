// dgm_twin_export: writes every twin case of twin_cases.h (or those named) to
// <dir>/<case>.safetensors, for bench/twins/check_twins.py.
//
//   dgm_twin_export DIR [CASE ...]
//   dgm_twin_export --list
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>

#include "autograd/grad_mode.h"
#include "bench/twins/twin_cases.h"
#include "nn/io/safetensors.h"

using namespace dgm;

namespace {

constexpr uint64_t kSeed = 20240516;

void export_case(const twins::TwinCase& c, const std::string& dir) {
  manual_seed(kSeed);
  Generator gen(kSeed + 1);
  twins::TwinExport e = c.build(gen);
  e.model->zero_grad();
  Tensor loss = e.loss();
  DGM_CHECK(loss.numel() == 1, "dgm_twin_export: case ", c.name, ": the loss must be a scalar, got ",
            shape_str(loss.shape()));
  loss.backward();
  nn::StateDict out;
  for (const auto& [name, p] : e.model->named_parameters()) {
    out["param." + name] = p.detach();
    DGM_CHECK(p.grad().defined(), "dgm_twin_export: case ", c.name, ": parameter ", name, " got no gradient");
    out["grad." + name] = p.grad();
  }
  for (const auto& [name, b] : e.model->named_buffers()) out["buffer." + name] = b;
  for (const auto& [name, t] : e.inputs) out["input." + name] = t;
  out["loss"] = loss.detach().reshape({});
  nn::io::save_safetensors(dir + "/" + c.name + ".safetensors", out, {{"twin", c.twin}, {"config", c.config}});
  std::printf("%s: loss %.6f, %zu parameters\n", c.name.c_str(), loss.item(), e.model->named_parameters().size());
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const auto cases = twins::twin_cases();
    if (argc == 2 && std::string(argv[1]) == "--list") {
      for (const auto& c : cases) std::printf("%s (twin %s)\n", c.name.c_str(), c.twin.c_str());
      return 0;
    }
    if (argc < 2) {
      std::fprintf(stderr, "usage: dgm_twin_export DIR [CASE ...] | --list\n");
      return 2;
    }
    const std::string dir = argv[1];
    std::set<std::string> wanted(argv + 2, argv + argc);
    std::set<std::string> known;
    for (const auto& c : cases) known.insert(c.name);
    for (const auto& w : wanted)
      DGM_CHECK(known.count(w), "dgm_twin_export: unknown case \"", w, "\" (dgm_twin_export --list)");
    std::filesystem::create_directories(dir);
    for (const auto& c : cases)
      if (wanted.empty() || wanted.count(c.name)) export_case(c, dir);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dgm_twin_export: %s\n", e.what());
    return 1;
  }
}
