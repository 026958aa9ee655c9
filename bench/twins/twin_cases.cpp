#include "bench/twins/twin_cases.h"

#include "models/flows/autoregressive_flow.h"
#include "tensor/factories.h"

namespace dgm::twins {

namespace {

using models::flows::AutoregressiveFlow;
using models::flows::AutoregressiveFlowOptions;

// The config the MAF twin reads, from the options (one source for both).
std::string maf_config(const AutoregressiveFlowOptions& o) {
  auto list = [](const std::vector<int64_t>& v) {
    std::string s;
    for (int64_t x : v) s += (s.empty() ? "" : ", ") + std::to_string(x);
    return "[" + s + "]";
  };
  return "{\"dim\": " + std::to_string(o.dim) + ", \"layers\": " + std::to_string(o.layers) +
         ", \"hidden\": " + list(o.hidden) + ", \"log_sigma_bound\": " + std::to_string(o.log_sigma_bound) +
         ", \"image_shape\": " + list(o.image_shape) + ", \"logit_alpha\": " + std::to_string(o.logit_alpha) + "}";
}

// MAF on 2-D points: loss = mean -log p(x).
TwinCase maf_points_case() {
  AutoregressiveFlowOptions o;
  o.dim = 2;
  o.layers = 4;
  o.hidden = {32, 32};
  return {"maf_points", "maf", maf_config(o), [o](Generator& gen) {
            auto model = std::make_shared<AutoregressiveFlow>(o);
            Tensor x = randn({64, 2}, &gen) * 1.5;
            return TwinExport{model, {{"x", x}}, [model, x] { return model->loss(x).at("loss"); }};
          }};
}

// MAF on dequantized 256-level 1x6x6 images with the logit preprocessing:
// loss = mean -log p((pixels + noise) / 256), the noise an input.
TwinCase maf_images_case() {
  AutoregressiveFlowOptions o;
  o.dim = 36;
  o.layers = 3;
  o.hidden = {64};
  o.image_shape = {1, 6, 6};
  o.logit_alpha = 0.05;
  return {"maf_dequantized_images", "maf", maf_config(o), [o](Generator& gen) {
            auto model = std::make_shared<AutoregressiveFlow>(o);
            Tensor pixels = randint(0, 256, {32, 1, 6, 6}, kInt64, &gen).to(kFloat32);
            Tensor noise = rand({32, 1, 6, 6}, &gen);
            return TwinExport{model, {{"pixels", pixels}, {"noise", noise}}, [model, pixels, noise] {
                                return model->dequantized_nll(pixels, noise);
                              }};
          }};
}

}  // namespace

std::vector<TwinCase> twin_cases() { return {maf_points_case(), maf_images_case()}; }

}  // namespace dgm::twins
