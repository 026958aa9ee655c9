// The model-level differential tests against PyTorch twins: each case builds a
// dgm model with a fixed seed and a fixed batch, and bench/twins/export.cpp
// (dgm_twin_export) writes <dir>/<case>.safetensors with
//
//   param.<name>   every named parameter (model.named_parameters())
//   buffer.<name>  every named buffer (e.g. MADE's masks; the twin may rebuild and compare them)
//   input.<name>   the batch and any noise the loss would otherwise draw
//   loss           the scalar loss (shape ())
//   grad.<name>    d loss / d param.<name>, for every parameter
//   __metadata__   "twin": which Python twin recomputes it; "config": a JSON object it reads
//
// bench/twins/check_twins.py loads each file, builds the twin named by "twin"
// (bench/twins/<twin>_twin.py), loads the weights by name, recomputes the loss
// and its gradients in float32 and compares them (scripts/twins runs both).
//
// Adding a case (e.g. RealNVP) is one function here plus one Python module:
//   1. in twin_cases.cpp write
//        TwinCase realnvp_twin_case() {
//          return {"realnvp_moons", "realnvp", R"({"layers": 4, ...})", [](Generator& gen) {
//            auto model = std::make_shared<RealNVP>(...);   // weights from the seeded default generator
//            Tensor x = randn({16, 2}, &gen);                // the batch; noise as more inputs
//            return TwinExport{model, {{"x", x}}, [model, x] { return model->loss(x).at("loss"); }};
//          }};
//        }
//      and add it to the list in twin_cases();
//   2. write bench/twins/realnvp_twin.py with build(config, inputs) -> torch.nn.Module whose
//      named_parameters() have the dgm names, and loss(module, config, inputs) -> scalar tensor,
//      and add it to TWINS in check_twins.py.
// The loss must not draw random numbers itself: whatever it would draw is an input.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "nn/module.h"
#include "tensor/random.h"

namespace dgm::twins {

struct TwinExport {
  std::shared_ptr<nn::Module> model;     // float32; exported as param./buffer./grad.<name>
  std::map<std::string, Tensor> inputs;  // exported as input.<name>
  std::function<Tensor()> loss;          // the scalar loss of model on inputs, deterministic
};

struct TwinCase {
  std::string name;    // the file: <name>.safetensors
  std::string twin;    // the Python twin: bench/twins/<twin>_twin.py
  std::string config;  // a JSON object the twin reads (sizes, options)
  // Called after dgm::manual_seed(seed of the case); `gen` is a generator for the batch.
  std::function<TwinExport(Generator& gen)> build;
};

std::vector<TwinCase> twin_cases();
// The diffusion models' cases, each group in its own file: ddpm2d_cases.cpp (homework 5 task 2's ConditionalMLP
// DDPM), unet_cases.cpp (task 3's UNet with classifier-free guidance).
std::vector<TwinCase> ddpm2d_twin_cases();
std::vector<TwinCase> unet_twin_cases();
// Homework 6 task 2's flow matching UNet and loss (flow_matching_cases.cpp).
std::vector<TwinCase> flow_matching_twin_cases();

}  // namespace dgm::twins
