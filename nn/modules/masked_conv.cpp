#include "nn/modules/masked_conv.h"

#include "nn/functional/masked_conv.h"
#include "tensor/factories.h"

namespace dgm::nn {

MaskedConv2d::MaskedConv2d(char type, int64_t in, int64_t out, Int2 k, Int2 s, std::optional<Int2> p, Int2 d, int64_t g,
                           bool with_bias)
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

Tensor MaskedConv2d::forward(const Tensor& x) {
  // conv2d(x, weight * mask, ...); on the CPU without the masked taps (nn/functional/masked_conv.h)
  return functional::masked_conv2d(x, weight, mask, mask_type, bias, stride, padding, dilation, groups);
}

std::string MaskedConv2d::extra_repr() const { return std::string("'") + mask_type + "', " + Conv2d::extra_repr(); }

}  // namespace dgm::nn
