// The generic test's cases for RealNVP's layers (homework 2).
#include "autograd/grad_mode.h"
#include "models/flows/actnorm.h"
#include "models/flows/coupling_channel.h"
#include "models/flows/coupling_checkerboard.h"
#include "models/flows/layer_catalog.h"
#include "models/flows/logit_transform.h"
#include "models/flows/squeeze.h"
#include "models/flows/variational_dequantization.h"

namespace dgm::models::flows {

namespace {

// Coupling scales start at 0 (a pure shift); give them values so the log-det is not trivially 0.
void set_scales(FlowLayer& layer, Generator& gen) {
  NoGradGuard no_grad;
  for (auto& [name, p] : layer.named_parameters())
    if (name.find("scale") != std::string::npos) p.uniform_(-0.8, 0.8, &gen);
}

template <typename L>
std::shared_ptr<FlowLayer> in_float64(std::shared_ptr<L> layer, Generator& gen) {
  set_scales(*layer, gen);
  layer->to(kFloat64);
  return layer;
}

// The variational dequantizer's conditional coupling with its features fixed (one example's, expanded to the
// batch), so that it is a map of eps alone.
class FixedFeatureCoupling : public FlowLayer {
 public:
  FixedFeatureCoupling(std::shared_ptr<ConditionalCheckerboardCoupling> coupling, Tensor features)
      : coupling_(register_module("coupling", std::move(coupling))), features_(std::move(features)) {}
  std::string name() const override { return "FixedFeatureCoupling"; }
  FlowOutput forward(const Tensor& x, bool invert) override {
    Shape shape = features_.shape();
    shape[0] = x.size(0);
    return coupling_->forward(x, features_.expand(shape), invert);
  }
  using FlowLayer::forward;

 private:
  std::shared_ptr<ConditionalCheckerboardCoupling> coupling_;
  Tensor features_;
};

}  // namespace

std::vector<FlowLayerCase> realnvp_layer_cases() {
  std::vector<FlowLayerCase> cases;
  cases.push_back({"LogitTransform(alpha=0.05, no dequantization)",
                   {2, 3},
                   [](Generator&) {
                     auto l = std::make_shared<LogitTransform>(0.05, false);
                     return std::static_pointer_cast<FlowLayer>(l);
                   },
                   [](int64_t batch, Generator& gen) {
                     return rand({batch, 2, 3}, TensorOptions(kFloat64), &gen) * 0.98 + 0.01;
                   }});
  cases.push_back({"ActNorm(3), initialized",
                   {3, 2, 2},
                   [](Generator& gen) {
                     auto l = std::make_shared<ActNorm>(3);
                     l->to(kFloat64);
                     l->initialize(randn({5, 3, 2, 2}, TensorOptions(kFloat64), &gen) * 2.0 + 1.0);
                     return std::static_pointer_cast<FlowLayer>(l);
                   },
                   nullptr});
  for (bool parity : {true, false})
    cases.push_back({std::string("AffineCheckerboardCoupling(parity_type=") + (parity ? "true" : "false") + ")",
                     {2, 3, 4},
                     [parity](Generator& gen) {
                       return in_float64(
                           std::make_shared<AffineCheckerboardCoupling>(parity, std::vector<int64_t>{3, 4}, 2, 4, 1),
                           gen);
                     },
                     nullptr});
  for (bool parity : {true, false})
    cases.push_back(
        {std::string("AffineChannelCoupling(parity_type=") + (parity ? "true" : "false") + ")",
         {4, 2, 3},
         [parity](Generator& gen) { return in_float64(std::make_shared<AffineChannelCoupling>(parity, 2, 4, 1), gen); },
         nullptr});
  cases.push_back(
      {"ConditionalCheckerboardCoupling (variational dequantization), fixed features",
       {2, 3, 4},
       [](Generator& gen) {
         auto c = std::make_shared<ConditionalCheckerboardCoupling>(true, std::vector<int64_t>{3, 4}, 2, 3, 4, 1);
         auto l = std::make_shared<FixedFeatureCoupling>(c, randn({1, 3, 3, 4}, TensorOptions(kFloat64), &gen));
         return in_float64(l, gen);
       },
       nullptr});
  cases.push_back({"Squeeze",
                   {2, 4, 2},
                   [](Generator&) { return std::static_pointer_cast<FlowLayer>(std::make_shared<Squeeze>()); },
                   nullptr});
  return cases;
}

}  // namespace dgm::models::flows
