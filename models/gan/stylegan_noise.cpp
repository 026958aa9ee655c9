#include "models/gan/stylegan_noise.h"

#include "tensor/error.h"
#include "tensor/factories.h"
#include "tensor/shape.h"

namespace dgm::models::gan {

InjectNoise::InjectNoise(int64_t channels_, double init_std) : channels(channels_) {
  DGM_CHECK(channels > 0 && init_std >= 0, "InjectNoise: expected channels > 0 and init_std >= 0, got ", channels,
            " and ", init_std);
  weight = register_parameter("weight", randn({1, channels, 1, 1}) * init_std);
}

Tensor InjectNoise::forward(const Tensor& x, Generator* gen) {
  DGM_CHECK(x.dim() == 4 && x.size(1) == channels, "InjectNoise: expected (B, ", channels, ", H, W), got ",
            shape_str(x.shape()));
  Tensor noise = randn({x.size(0), 1, x.size(2), x.size(3)}, TensorOptions(x.dtype()).device(x.device()), gen);
  return x + weight * noise;
}

}  // namespace dgm::models::gan
