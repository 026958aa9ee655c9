#include "models/vqvae/masked_conv.h"

#include "autograd/ops/elementwise.h"
#include "nn/functional/masked_conv.h"
#include "tensor/factories.h"

namespace dgm::models::vqvae {

MaskedConv2d::MaskedConv2d(char type, int64_t in, int64_t out, int64_t k)
    : nn::Conv2d(in, out, k, 1, k / 2), mask_type(type) {
  DGM_CHECK(type == 'A' || type == 'B', "MaskedConv2d: mask_type must be 'A' or 'B', got '", type, "'");
  DGM_CHECK(k % 2 == 1, "MaskedConv2d: the kernel must be odd (a centre pixel), got ", k);
  mask = register_buffer("mask", create_mask(type));
}

Tensor MaskedConv2d::create_mask(char type) const {
  // BEGIN SOLUTION hw3.4/mask
  const int64_t kh = kernel_size.h, kw = kernel_size.w, ch = kh / 2, cw = kw / 2;
  Tensor plane = zeros({kh, kw});
  // every row above the centre, then the centre row left of the centre (and the centre for 'B')
  plane.narrow(0, 0, ch).fill_(1.0);
  plane.select(0, ch).narrow(0, 0, type == 'B' ? cw + 1 : cw).fill_(1.0);
  return plane.view({1, 1, kh, kw}).expand(weight.shape()).contiguous().to(weight.dtype());
  // END SOLUTION
}

Tensor MaskedConv2d::forward(const Tensor& x) {
  // BEGIN SOLUTION hw3.4/forward
  // conv2d(x, weight * mask): the masked taps neither act nor get a gradient
  return nn::functional::masked_conv2d(x, weight, mask, mask_type, bias, stride, padding);
  // END SOLUTION
}

}  // namespace dgm::models::vqvae
