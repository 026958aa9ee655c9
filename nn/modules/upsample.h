// Upsample as torch.nn.Upsample over nn::functional::interpolate: give the
// output size or the scale factor (output = floor(input * scale)); mode
// "nearest" or "bilinear" (align_corners for bilinear only).
//   nn::Upsample up(std::nullopt, 2.0);                  // x2, nearest
//   nn::Upsample up2({8, 8}, std::nullopt, "bilinear");  // to 8x8
#pragma once
#include <optional>
#include <string>

#include "nn/functional/upsample.h"
#include "nn/module.h"

namespace dgm::nn {

class Upsample : public Module {
 public:
  explicit Upsample(std::optional<Int2> size, std::optional<Scale2> scale_factor = std::nullopt,
                    std::string mode = "nearest", std::optional<bool> align_corners = std::nullopt);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Upsample"; }
  std::string extra_repr() const override;

  std::optional<Int2> size;
  std::optional<Scale2> scale_factor;
  std::string mode;
  std::optional<bool> align_corners;
};

}  // namespace dgm::nn
