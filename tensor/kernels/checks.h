// Checks the front doors of tensor/kernels/*.cpp share (internal).
#pragma once
#include "tensor/kernels/conv.h"
#include "tensor/kernels/elementwise.h"
#include "tensor/tensor.h"

namespace dgm::kernels {

// "conv2d: expected weight of shape (4,3,3,3), got (4,3,3)"
inline void check_shape(const char* op, const char* what, const Tensor& t, const Shape& expected) {
  DGM_CHECK(t.shape() == expected, op, ": expected ", what, " of shape ", shape_str(expected), ", got ",
            shape_str(t.shape()));
}

// "max_pool2d: expected a float32 or float64 input, got int64"
inline void check_floating(const char* op, const char* what, const Tensor& t) {
  DGM_CHECK(t.dtype() == kFloat32 || t.dtype() == kFloat64, op, ": expected a float32 or float64 ", what, ", got ",
            dtype_name(t.dtype()));
}

// "input (2,3,8,8), weight (4,3,3,3), output (2,4,8,8), stride (1,1), padding (1,1), dilation (1,1), groups 1"
inline std::string conv_geometry_str(const Conv2dGeometry& g) {
  return detail::concat("input (", g.N, ",", g.C, ",", g.H, ",", g.W, "), weight (", g.O, ",",
                        g.groups > 0 ? g.C / g.groups : 0, ",", g.kH, ",", g.kW, "), output (", g.N, ",", g.O, ",",
                        g.Ho, ",", g.Wo, "), stride (", g.sH, ",", g.sW, "), padding (", g.pH, ",", g.pW,
                        "), dilation (", g.dH, ",", g.dW, "), groups ", g.groups);
}

// t itself when contiguous, else a contiguous copy (undefined stays undefined).
inline Tensor contiguous(const Tensor& t) { return !t.defined() || t.is_contiguous() ? t : copy_to_new(t); }

}  // namespace dgm::kernels
