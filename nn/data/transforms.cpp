#include "nn/data/transforms.h"

#include "nn/functional/upsample.h"

namespace dgm::nn::data {

namespace {
Tensor as_float(const Tensor& x, const char* who) {
  DGM_CHECK(x.defined(), who, ": undefined tensor");
  return x.dtype() == kFloat32 ? x : x.to(kFloat32);
}
}  // namespace

Tensor binarize(const Tensor& x, double threshold) { return as_float(x, "binarize").gt(threshold).to(kFloat32); }

Tensor scale_01(const Tensor& x) { return as_float(x, "scale_01") / 255.0; }

Tensor scale_pm1(const Tensor& x) { return as_float(x, "scale_pm1") * (2.0 / 255.0) - 1.0; }

Tensor resize_bilinear(const Tensor& x, int64_t height, int64_t width, bool round_to_byte) {
  Tensor f = as_float(x, "resize_bilinear");
  DGM_CHECK(f.dim() == 3 || f.dim() == 4, "resize_bilinear: expected images (N,C,H,W) or (C,H,W), got ",
            shape_str(f.shape()));
  DGM_CHECK(height > 0 && width > 0, "resize_bilinear: output size must be positive, got ", height, "x", width);
  const bool batched = f.dim() == 4;
  Tensor out = nn::functional::interpolate(batched ? f : f.unsqueeze(0), nn::functional::Int2(height, width),
                                           std::nullopt, "bilinear", false);
  if (round_to_byte) out = out.round().clamp(0.0, 255.0);
  return batched ? out : out.squeeze(0);
}

Tensor dequantize(const Tensor& x, Generator* gen) {
  Tensor f = as_float(x, "dequantize");
  return (f + rand(f.shape(), kFloat32, gen)) / 256.0;
}

}  // namespace dgm::nn::data
