#include "autograd/grad_mode.h"
#include "models/flows/glow_step.h"
#include "models/flows/layer_catalog.h"
#include "models/flows/linear_flow.h"

namespace dgm::models::flows {

namespace {

// Converts a layer to float64 and moves every parameter by N(0, scale^2) noise,
// so that no case sits at a special point (a rotation with log|det| = 0, a zero conv).
template <typename Layer>
std::shared_ptr<FlowLayer> float64_perturbed(std::shared_ptr<Layer> layer, Generator& gen, double scale) {
  layer->to(kFloat64);
  NoGradGuard no_grad;
  for (Tensor& p : layer->parameters()) p.add_(randn(p.shape(), TensorOptions(kFloat64), &gen) * scale);
  return layer;
}

FlowLayerCase conv_case(MatrixParametrization p) {
  return {"Invertible1x1Conv(" + parametrization_name(p) + ")",
          {4, 2, 2},
          [p](Generator& gen) { return float64_perturbed(std::make_shared<Invertible1x1Conv>(4, p, &gen), gen, 0.3); },
          nullptr};
}

FlowLayerCase linear_case(MatrixParametrization p) {
  return {"LinearFlow(" + parametrization_name(p) + ")",
          {4},
          [p](Generator& gen) { return float64_perturbed(std::make_shared<LinearFlow>(4, p, &gen), gen, 0.3); },
          nullptr};
}

}  // namespace

std::vector<FlowLayerCase> glow_layer_cases() {
  std::vector<FlowLayerCase> cases = {conv_case(MatrixParametrization::kPlain), conv_case(MatrixParametrization::kLU),
                                      linear_case(MatrixParametrization::kLU), linear_case(MatrixParametrization::kQR)};
  // The coupling with a non-zero last conv (not the identity on x_b), on non-square images.
  cases.push_back({"GlowCoupling",
                   {4, 3, 2},
                   [](Generator& gen) { return float64_perturbed(std::make_shared<GlowCoupling>(4, 6), gen, 0.3); },
                   nullptr});
  // A whole step, its ActNorm initialized on a batch of N(1, 2^2) draws.
  cases.push_back({"GlowStep(lu)",
                   {4, 2, 2},
                   [](Generator& gen) {
                     auto step = std::make_shared<GlowStep>(4, 6, MatrixParametrization::kLU, &gen);
                     step->to(kFloat64);
                     step->actnorm->initialize(randn({8, 4, 2, 2}, TensorOptions(kFloat64), &gen) * 2.0 + 1.0);
                     return float64_perturbed(step, gen, 0.3);
                   },
                   nullptr});
  return cases;
}

}  // namespace dgm::models::flows
