#include "models/flows/dequantize.h"

#include "autograd/ops/elementwise.h"

namespace dgm::models::flows {

// y = (x (nbins - 1) + u) / nbins
Tensor dequantize(const Tensor& x, int64_t nbins, const Tensor& noise, Generator* gen) {
  DGM_CHECK(nbins >= 2, "dequantize: nbins must be >= 2, got ", nbins);
  DGM_CHECK(!noise.defined() || noise.shape() == x.shape(), "dequantize: noise of shape ", shape_str(noise.shape()),
            " for x of shape ", shape_str(x.shape()));
  Tensor u = noise.defined() ? noise : rand(x.shape(), TensorOptions(x.dtype()).device(x.device()), gen);
  return (x * static_cast<double>(nbins - 1) + u) / static_cast<double>(nbins);
}

}  // namespace dgm::models::flows
