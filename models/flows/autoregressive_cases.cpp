#include "models/flows/layer_catalog.h"
#include "models/flows/maf.h"

namespace dgm::models::flows {

namespace {

// Fresh weights from `gen` (PyTorch's Linear init, U(+-1/sqrt(fan_in))), in float64.
template <typename Layer>
std::shared_ptr<FlowLayer> made_layer(int64_t dim, std::vector<int64_t> order, Generator& gen) {
  auto layer = std::make_shared<Layer>(dim, std::vector<int64_t>{8, 8}, 2.0, std::move(order));
  for (const auto& l : layer->made->layers()) l->reset_parameters(&gen);
  layer->to(kFloat64);
  return layer;
}

}  // namespace

std::vector<FlowLayerCase> autoregressive_layer_cases() {
  std::vector<FlowLayerCase> cases;
  cases.push_back({"MAFLayer(D=3)", {3}, [](Generator& g) { return made_layer<MAFLayer>(3, {}, g); }, nullptr});
  cases.push_back({"MAFLayer(D=5, order 3,1,5,2,4)",
                   {5},
                   [](Generator& g) {
                     return made_layer<MAFLayer>(5, {3, 1, 5, 2, 4}, g);
                   },
                   nullptr});
  cases.push_back({"IAFLayer(D=3)", {3}, [](Generator& g) { return made_layer<IAFLayer>(3, {}, g); }, nullptr});
  cases.push_back({"IAFLayer(D=5, order 2,5,1,4,3)",
                   {5},
                   [](Generator& g) {
                     return made_layer<IAFLayer>(5, {2, 5, 1, 4, 3}, g);
                   },
                   nullptr});
  cases.push_back({"Permutation(reverse, D=5)",
                   {5},
                   [](Generator&) -> std::shared_ptr<FlowLayer> { return Permutation::reverse(5); },
                   nullptr});
  cases.push_back({"Permutation(2,0,3,1)",
                   {4},
                   [](Generator&) -> std::shared_ptr<FlowLayer> {
                     return std::make_shared<Permutation>(std::vector<int64_t>{2, 0, 3, 1});
                   },
                   nullptr});
  return cases;
}

}  // namespace dgm::models::flows
