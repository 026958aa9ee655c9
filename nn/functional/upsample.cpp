// Upsampling ops and their derivatives. Upsampling is linear, y = U x, with U
// given per axis by source indices and weights (kernels::Interp1d), so
//   y = U x:     dx = U^T g        (upsample2d_backward)
//   z = U^T g:   dg = U h          (upsample2d again)
// and grad-of-grad is exact.
#include "nn/functional/upsample.h"

#include <cmath>
#include <memory>

#include "autograd/node.h"
#include "tensor/kernels/conv.h"

namespace dgm::nn::functional {

using autograd::record;
using kernels::Interp1d;

namespace {

// The two axes' tables, shared (not copied) by every node of the graph.
struct Plan {
  Interp1d rows, cols;
  int64_t H = 0, W = 0;  // input size
};
using PlanPtr = std::shared_ptr<const Plan>;

Tensor up_backward(const Tensor& g, const PlanPtr& plan);

// y = U x:  dx = U^T g
Tensor up_forward(const Tensor& x_, const PlanPtr& plan) {
  Tensor x = x_.contiguous();
  return record("upsample2d", kernels::upsample2d(x, plan->rows, plan->cols), {x},
                [plan](const Tensor& g) { return std::vector{up_backward(g, plan)}; });
}

// z = U^T g:  dg = U h
Tensor up_backward(const Tensor& g_, const PlanPtr& plan) {
  Tensor g = g_.contiguous();
  return record("upsample2d_backward", kernels::upsample2d_backward(g, plan->rows, plan->cols, plan->H, plan->W), {g},
                [plan](const Tensor& h) { return std::vector{up_forward(h, plan)}; });
}

// PyTorch's area_pixel_compute_scale: output -> input coordinate ratio.
double coordinate_scale(int64_t in, int64_t out, bool align_corners, std::optional<double> scale) {
  if (align_corners) return out > 1 ? static_cast<double>(in - 1) / static_cast<double>(out - 1) : 0.0;
  return scale && *scale > 0 ? 1.0 / *scale : static_cast<double>(in) / static_cast<double>(out);
}

// nearest: src = min(floor(dst * scale), in - 1), computed in float as PyTorch.
Interp1d nearest_table(int64_t in, int64_t out, std::optional<double> scale) {
  const float s = static_cast<float>(coordinate_scale(in, out, false, scale));
  Interp1d t;
  for (int64_t d = 0; d < out; ++d) {
    const int64_t src = std::min(static_cast<int64_t>(std::floor(static_cast<float>(d) * s)), in - 1);
    t.i0.push_back(src), t.i1.push_back(src), t.l0.push_back(1.0), t.l1.push_back(0.0);
  }
  return t;
}

// bilinear along one axis: src as in the header, i0 = floor(src),
// i1 = min(i0 + 1, in - 1), l1 = src - i0, l0 = 1 - l1.
Interp1d linear_table(int64_t in, int64_t out, bool align_corners, std::optional<double> scale) {
  const double s = coordinate_scale(in, out, align_corners, scale);
  Interp1d t;
  for (int64_t d = 0; d < out; ++d) {
    double src = align_corners ? s * static_cast<double>(d) : s * (static_cast<double>(d) + 0.5) - 0.5;
    if (src < 0) src = 0;
    const int64_t i0 = std::min(static_cast<int64_t>(src), in - 1);
    const double l1 = std::min(src - static_cast<double>(i0), 1.0);
    t.i0.push_back(i0), t.i1.push_back(i0 < in - 1 ? i0 + 1 : i0), t.l0.push_back(1.0 - l1), t.l1.push_back(l1);
  }
  return t;
}

// Output size and the scale factors to pass on (only those the user gave).
struct Target {
  int64_t Ho, Wo;
  std::optional<double> sh, sw;
};

Target target_size(const char* op, const Tensor& x, std::optional<Int2> size, std::optional<Scale2> scale) {
  DGM_CHECK(x.defined() && x.dim() == 4, op, ": expected input of shape (N,C,H,W), got ",
            x.defined() ? shape_str(x.shape()) : "an undefined tensor");
  DGM_CHECK(x.is_floating_point(), op, ": expected a floating point input, got ", dtype_name(x.dtype()));
  DGM_CHECK(size.has_value() != scale.has_value(), op, ": give exactly one of output size and scale factor");
  DGM_CHECK(x.size(2) > 0 && x.size(3) > 0, op, ": input of shape ", shape_str(x.shape()), " has an empty image");
  Target t;
  if (size) {
    t.Ho = size->h, t.Wo = size->w;
  } else {
    DGM_CHECK(scale->h > 0 && scale->w > 0, op, ": scale factors must be positive, got (", scale->h, ",", scale->w,
              ")");
    t.Ho = static_cast<int64_t>(std::floor(static_cast<double>(x.size(2)) * scale->h));
    t.Wo = static_cast<int64_t>(std::floor(static_cast<double>(x.size(3)) * scale->w));
    t.sh = scale->h, t.sw = scale->w;
  }
  DGM_CHECK(t.Ho > 0 && t.Wo > 0, op, ": output size (", t.Ho, ",", t.Wo, ") must be positive (input ",
            shape_str(x.shape()), ")");
  return t;
}

}  // namespace

Tensor upsample_nearest2d(const Tensor& input, std::optional<Int2> output_size, std::optional<Scale2> scale_factors) {
  Target t = target_size("upsample_nearest2d", input, output_size, scale_factors);
  auto plan = std::make_shared<Plan>();
  plan->H = input.size(2), plan->W = input.size(3);
  plan->rows = nearest_table(plan->H, t.Ho, t.sh);
  plan->cols = nearest_table(plan->W, t.Wo, t.sw);
  return up_forward(input, plan);
}

Tensor upsample_bilinear2d(const Tensor& input, std::optional<Int2> output_size, bool align_corners,
                           std::optional<Scale2> scale_factors) {
  Target t = target_size("upsample_bilinear2d", input, output_size, scale_factors);
  auto plan = std::make_shared<Plan>();
  plan->H = input.size(2), plan->W = input.size(3);
  plan->rows = linear_table(plan->H, t.Ho, align_corners, t.sh);
  plan->cols = linear_table(plan->W, t.Wo, align_corners, t.sw);
  return up_forward(input, plan);
}

Tensor interpolate(const Tensor& input, std::optional<Int2> size, std::optional<Scale2> scale_factor,
                   const std::string& mode, bool align_corners) {
  if (mode == "nearest") {
    DGM_CHECK(!align_corners, "interpolate: align_corners only applies to mode \"bilinear\"");
    return upsample_nearest2d(input, size, scale_factor);
  }
  if (mode == "bilinear") return upsample_bilinear2d(input, size, align_corners, scale_factor);
  DGM_FAIL("interpolate: unknown mode \"", mode, "\" (expected \"nearest\" or \"bilinear\")");
}

}  // namespace dgm::nn::functional
