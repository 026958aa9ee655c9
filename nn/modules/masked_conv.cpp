#include "nn/modules/masked_conv.h"

#include "autograd/ops/shape_ops.h"
#include "tensor/factories.h"

namespace dgm::nn {

MaskedConv2d::MaskedConv2d(char type, int64_t in, int64_t out, Int2 k, Int2 s, std::optional<Int2> p, Int2 d,
                           int64_t g, bool with_bias)
    : Conv2d(in, out, k, s, p.value_or(Int2(k.h / 2, k.w / 2)), d, g, with_bias), mask_type(type) {
  DGM_CHECK(type == 'A' || type == 'B', "MaskedConv2d: mask_type must be 'A' or 'B', got '", type, "'");
  const int64_t ch = k.h / 2, cw = k.w / 2;
  std::vector<float> plane(k.h * k.w, 0.0f);
  for (int64_t a = 0; a < k.h; ++a)
    for (int64_t b = 0; b < k.w; ++b)
      plane[a * k.w + b] = (a < ch || (a == ch && (b < cw || (type == 'B' && b == cw)))) ? 1.0f : 0.0f;
  Tensor m = tensor(plane, {1, 1, k.h, k.w}).expand(weight.shape()).contiguous();
  mask = register_buffer("mask", m);
}

bool MaskedConv2d::splits_by_rows(const Tensor& x) const {
  const int64_t kh = weight.size(2), kw = weight.size(3);
  const bool same_causal_geometry = kh % 2 == 1 && kw % 2 == 1 && stride.h == 1 && stride.w == 1 &&
                                    dilation.h == 1 && dilation.w == 1 && padding.h == kh / 2 &&
                                    padding.w == kw / 2;
  const int64_t row_taps = kw / 2 + (mask_type == 'B' ? 1 : 0);
  return x.is_cpu() && x.dim() == 4 && same_causal_geometry && kh > 1 && row_taps > 0 && x.size(2) > 1 &&
         x.size(3) > 1;
}

Tensor MaskedConv2d::forward(const Tensor& x) {
  if (splits_by_rows(x)) return forward_by_rows(x);
  // conv2d with the masked weight: weights after the centre (and the centre for 'A') are zero.
  return functional::conv2d(x, weight * mask, bias, stride, padding, dilation, groups);
}

// The same sum without the masked taps: out(i,j) = sum over the unmasked (a,b) of
// W[a,b] x(i+a-ch, j+b-cw) splits into
//   the rows above:  a < ch, every b   -> a (ch x kW) conv over x shifted down by one row
//   the centre row:  a = ch, b < m     -> a (1 x m) conv over x shifted right (m = cw for 'A', cw+1 for 'B')
// so that a 7x7 kernel costs 24 ('A') or 25 ('B') taps instead of 49.
Tensor MaskedConv2d::forward_by_rows(const Tensor& x) {
  const int64_t kh = weight.size(2), kw = weight.size(3), ch = kh / 2, cw = kw / 2;
  const int64_t row_taps = cw + (mask_type == 'B' ? 1 : 0);
  // rows above: pad ch zero rows on top and drop the last row, so output row i
  // sees input rows i-ch .. i-1
  Tensor above = functional::conv2d(pad(x, {0, 0, ch, -1}), weight.narrow(2, 0, ch), {}, 1, Int2(0, cw), 1, groups);
  // centre row: pad cw zero columns on the left and drop row_taps-1-cw on the
  // right (-1 for 'A': the pixel itself is not seen), so output column j sees
  // input columns j-cw .. j-cw+row_taps-1
  Tensor centre_taps = weight.narrow(2, ch, 1).narrow(3, 0, row_taps);
  Tensor centre = functional::conv2d(pad(x, {cw, row_taps - 1 - cw, 0, 0}), centre_taps, bias, 1, 0, 1, groups);
  return above + centre;
}

std::string MaskedConv2d::extra_repr() const { return std::string("'") + mask_type + "', " + Conv2d::extra_repr(); }

}  // namespace dgm::nn
