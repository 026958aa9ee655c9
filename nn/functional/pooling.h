// 2-d pooling as torch.nn.functional: max_pool2d, max_pool2d_with_indices,
// avg_pool2d on (N,C,H,W) or unbatched (C,H,W) inputs. stride defaults to the
// kernel size; padding (at most half the kernel) is -inf for max pooling and
// 0 for average pooling. Output size: (H + 2p - k) / s + 1, rounded up with
// ceil_mode (a window must still start inside the input or the left padding).
#pragma once
#include <optional>
#include <tuple>

#include "nn/functional/conv.h"

namespace dgm::nn::functional {

Tensor max_pool2d(const Tensor& input, Int2 kernel_size, std::optional<Int2> stride = std::nullopt, Int2 padding = 0,
                  bool ceil_mode = false);
// Values and int64 indices (h*W + w within each plane) of the maxima, as PyTorch.
std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, Int2 kernel_size,
                                                   std::optional<Int2> stride = std::nullopt, Int2 padding = 0,
                                                   bool ceil_mode = false);
Tensor avg_pool2d(const Tensor& input, Int2 kernel_size, std::optional<Int2> stride = std::nullopt, Int2 padding = 0,
                  bool ceil_mode = false, bool count_include_pad = true);

}  // namespace dgm::nn::functional

namespace dgm {
using nn::functional::avg_pool2d;
using nn::functional::max_pool2d;
using nn::functional::max_pool2d_with_indices;
}  // namespace dgm
