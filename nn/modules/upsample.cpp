#include "nn/modules/upsample.h"

#include <sstream>

namespace dgm::nn {

Upsample::Upsample(std::optional<Int2> size_, std::optional<Scale2> scale, std::string mode_, std::optional<bool> align)
    : size(size_), scale_factor(scale), mode(std::move(mode_)), align_corners(align) {
  DGM_CHECK(size.has_value() != scale_factor.has_value(), "Upsample: give exactly one of size and scale_factor");
  DGM_CHECK(mode == "nearest" || mode == "bilinear", "Upsample: mode must be \"nearest\" or \"bilinear\", got \"", mode,
            "\"");
  DGM_CHECK(!align_corners || mode == "bilinear", "Upsample: align_corners is only for mode \"bilinear\"");
}

Tensor Upsample::forward(const Tensor& x) {
  return functional::interpolate(x, size, scale_factor, mode, align_corners.value_or(false));
}

std::string Upsample::extra_repr() const {
  std::ostringstream os;
  if (scale_factor) {
    os << "scale_factor=";
    if (scale_factor->h == scale_factor->w)
      os << py_float(scale_factor->h);
    else
      os << "(" << py_float(scale_factor->h) << ", " << py_float(scale_factor->w) << ")";
  } else {
    os << "size=";
    if (size->h == size->w)
      os << size->h;
    else
      os << "(" << size->h << ", " << size->w << ")";
  }
  os << ", mode=" << mode;  // PyTorch 1.13 prints the mode unquoted
  return os.str();
}

}  // namespace dgm::nn
