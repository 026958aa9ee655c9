#include "nn/functional/masked_conv.h"

#include "autograd/ops/shape_ops.h"

namespace dgm::nn::functional {

bool masked_conv2d_splits_by_rows(const Tensor& x, const Tensor& weight, char mask_type, Int2 stride, Int2 padding,
                                  Int2 dilation) {
  const int64_t kh = weight.size(2), kw = weight.size(3);
  const bool causal_geometry = kh % 2 == 1 && kw % 2 == 1 && stride.h == 1 && stride.w == 1 && dilation.h == 1 &&
                               dilation.w == 1 && padding.h == kh / 2 && padding.w == kw / 2;
  const int64_t row_taps = kw / 2 + (mask_type == 'B' ? 1 : 0);
  return x.is_cpu() && x.dim() == 4 && causal_geometry && kh > 1 && row_taps > 0 && x.size(2) > 1 && x.size(3) > 1;
}

namespace {

// conv2d(x, weight * mask) as the rows above the centre plus the centre row's unmasked taps.
Tensor by_rows(const Tensor& x, const Tensor& weight, char mask_type, const Tensor& bias, int64_t groups) {
  const int64_t kh = weight.size(2), kw = weight.size(3), ch = kh / 2, cw = kw / 2;
  const int64_t row_taps = cw + (mask_type == 'B' ? 1 : 0);
  // rows above: pad ch zero rows on top and drop the last row, so output row i
  // sees input rows i-ch .. i-1
  Tensor above = conv2d(pad(x, {0, 0, ch, -1}), weight.narrow(2, 0, ch), {}, 1, Int2(0, cw), 1, groups);
  // centre row: pad cw zero columns on the left and drop row_taps-1-cw on the
  // right (-1 for 'A': the pixel itself is not seen), so output column j sees
  // input columns j-cw .. j-cw+row_taps-1
  Tensor centre_taps = weight.narrow(2, ch, 1).narrow(3, 0, row_taps);
  Tensor centre = conv2d(pad(x, {cw, row_taps - 1 - cw, 0, 0}), centre_taps, bias, 1, 0, 1, groups);
  return above + centre;
}

}  // namespace

Tensor masked_conv2d(const Tensor& x, const Tensor& weight, const Tensor& mask, char mask_type, const Tensor& bias,
                     Int2 stride, Int2 padding, Int2 dilation, int64_t groups) {
  DGM_CHECK(mask_type == 'A' || mask_type == 'B', "masked_conv2d: mask_type must be 'A' or 'B', got '", mask_type, "'");
  DGM_CHECK(weight.dim() == 4 && mask.shape() == weight.shape(), "masked_conv2d: the mask must have the weight's ",
            "shape (out, in/groups, kH, kW); got weight ", shape_str(weight.shape()), " and mask ",
            shape_str(mask.shape()));
  if (masked_conv2d_splits_by_rows(x, weight, mask_type, stride, padding, dilation))
    return by_rows(x, weight, mask_type, bias, groups);
  // conv2d with the masked weight: weights after the centre (and the centre for 'A') are zero.
  return conv2d(x, weight * mask, bias, stride, padding, dilation, groups);
}

}  // namespace dgm::nn::functional
