// Every flow layer of models/flows/, with a small float64 instance to check.
// tests/models/flows/test_flow_layers.cpp runs each through the generic test:
// inverse(forward(x)) == x, forward(inverse(z)) == z, the forward log-det ==
// log|det J_f(x)| with J computed column by column by autograd, and the
// inverse's log-det == -(forward's) at the matching point.
//
// A new layer adds a case to its group's function (planar_cases.cpp, ...).
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "models/flows/flow_layer.h"
#include "tensor/random.h"

namespace dgm::models::flows {

struct FlowLayerCase {
  std::string name;                  // "PlanarFlow", "AffineCheckerboardCoupling(parity=true)"
  std::vector<int64_t> event_shape;  // one example's shape: {2}, {1,4,4}
  // A float64 layer with non-trivial weights (not the identity), ready to use
  // (ActNorm already initialized, no random dequantization).
  std::function<std::shared_ptr<FlowLayer>(Generator& gen)> make;
  // `batch` valid inputs (B, event_shape...) float64; null: N(0, 1) draws.
  std::function<Tensor(int64_t batch, Generator& gen)> input;
};

// Each group's cases.
std::vector<FlowLayerCase> planar_layer_cases();          // planar_cases.cpp
std::vector<FlowLayerCase> realnvp_layer_cases();         // realnvp_cases.cpp
std::vector<FlowLayerCase> glow_layer_cases();            // glow_cases.cpp
std::vector<FlowLayerCase> autoregressive_layer_cases();  // autoregressive_cases.cpp

// All of them.
std::vector<FlowLayerCase> flow_layer_cases();

}  // namespace dgm::models::flows
