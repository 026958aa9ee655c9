// conv2d, conv_transpose2d and the two gradient ops, with their derivatives.
//
// Write T(x, w, g) = <conv(x, w), g> (a sum over all elements; no bias). T is
// linear in each of x, w, g, and the three ops are its partial derivatives:
//   conv(x, w)        = dT/dg      (shape of y)
//   input_grad(g, w)  = dT/dx      (shape of x)   = conv_transpose
//   weight_grad(x, g) = dT/dw      (shape of w)
// So each op's vector-Jacobian products are the other two ops (h = the
// gradient arriving at that op's output):
//   y = conv(x, w):         dx = input_grad(h, w),   dw = weight_grad(x, h)
//   z = input_grad(g, w):   dg = conv(h, w),         dw = weight_grad(h, g)
//   u = weight_grad(x, g):  dx = input_grad(g, h),   dg = conv(x, h)
// All six use one Conv2dGeometry, so the shapes always match, and since
// the backward functions are recorded ops themselves, grad-of-grad is exact.
#include "nn/functional/conv.h"

#include "autograd/node.h"
#include "autograd/ops/elementwise.h"
#include "tensor/kernels/conv.h"

namespace dgm::nn::functional {

using autograd::NeedsGrad;
using autograd::record;
using kernels::Conv2dGeometry;

namespace {

Tensor conv_op(const Tensor& x, const Tensor& w, const Tensor& b, const Conv2dGeometry& geo);
Tensor input_grad_op(const Tensor& g, const Tensor& w, const Conv2dGeometry& geo);
Tensor weight_grad_op(const Tensor& x, const Tensor& g, const Conv2dGeometry& geo);

// y = conv(x, w) + b:  dx = input_grad(h, w), dw = weight_grad(x, h), db = sum_{n,a,b} h
Tensor conv_op(const Tensor& x_, const Tensor& w_, const Tensor& b_, const Conv2dGeometry& geo) {
  Tensor x = x_.contiguous(), w = w_.contiguous(), b = b_.defined() ? b_.contiguous() : b_;
  Tensor y = kernels::conv2d(x, w, b, geo);
  return record("conv2d", y, {x, w, b}, [x, w, geo](const Tensor& h, const NeedsGrad& needs) {
    return std::vector{needs[0] ? input_grad_op(h, w, geo) : Tensor(), needs[1] ? weight_grad_op(x, h, geo) : Tensor(),
                       needs[2] ? h.sum({0, 2, 3}) : Tensor()};
  });
}

// z = input_grad(g, w):  dg = conv(h, w), dw = weight_grad(h, g)
Tensor input_grad_op(const Tensor& g_, const Tensor& w_, const Conv2dGeometry& geo) {
  Tensor g = g_.contiguous(), w = w_.contiguous();
  Tensor z = kernels::conv2d_input_grad(g, w, geo);
  return record("conv2d_input_grad", z, {g, w}, [g, w, geo](const Tensor& h, const NeedsGrad& needs) {
    return std::vector{needs[0] ? conv_op(h, w, Tensor(), geo) : Tensor(),
                       needs[1] ? weight_grad_op(h, g, geo) : Tensor()};
  });
}

// u = weight_grad(x, g):  dx = input_grad(g, h), dg = conv(x, h)
Tensor weight_grad_op(const Tensor& x_, const Tensor& g_, const Conv2dGeometry& geo) {
  Tensor x = x_.contiguous(), g = g_.contiguous();
  Tensor u = kernels::conv2d_weight_grad(x, g, geo);
  return record("conv2d_weight_grad", u, {x, g}, [x, g, geo](const Tensor& h, const NeedsGrad& needs) {
    return std::vector{needs[0] ? input_grad_op(g, h, geo) : Tensor(),
                       needs[1] ? conv_op(x, h, Tensor(), geo) : Tensor()};
  });
}

// Output size of a convolution along one axis; the error names the op and shapes.
int64_t conv_out_size(const char* op, int64_t in, int64_t k, int64_t s, int64_t p, int64_t d, const Shape& x_shape,
                      const Shape& w_shape) {
  const int64_t span = d * (k - 1) + 1;  // the dilated kernel
  DGM_CHECK(in + 2 * p >= span, op, ": kernel size (dilated) ", span, " is larger than the padded input size ",
            in + 2 * p, " (input ", shape_str(x_shape), ", weight ", shape_str(w_shape), ", padding ", p, ", dilation ",
            d, ")");
  return (in + 2 * p - span) / s + 1;
}

void check_params(const char* op, Int2 stride, Int2 padding, Int2 dilation, int64_t groups) {
  DGM_CHECK(stride.h > 0 && stride.w > 0, op, ": stride must be positive, got (", stride.h, ",", stride.w, ")");
  DGM_CHECK(padding.h >= 0 && padding.w >= 0, op, ": padding must be non-negative, got (", padding.h, ",", padding.w,
            ")");
  DGM_CHECK(dilation.h > 0 && dilation.w > 0, op, ": dilation must be positive, got (", dilation.h, ",", dilation.w,
            ")");
  DGM_CHECK(groups > 0, op, ": groups must be positive, got ", groups);
}

// The geometry of conv2d(x, w) for x (N,C,H,W), w (O,C/groups,kH,kW).
Conv2dGeometry conv_geometry(const char* op, const Shape& x, const Shape& w, Int2 stride, Int2 padding, Int2 dilation,
                             int64_t groups) {
  check_params(op, stride, padding, dilation, groups);
  DGM_CHECK(x.size() == 4, op, ": expected input of shape (N,C,H,W), got ", shape_str(x));
  DGM_CHECK(w.size() == 4, op, ": expected weight of shape (O,C/groups,kH,kW), got ", shape_str(w));
  DGM_CHECK(x[1] == w[1] * groups, op, ": weight of shape ", shape_str(w), " with groups=", groups,
            " expects input with ", w[1] * groups, " channels, but input of shape ", shape_str(x), " has ", x[1],
            " channels");
  DGM_CHECK(w[0] % groups == 0, op, ": out channels ", w[0], " (weight ", shape_str(w),
            ") must be divisible by groups=", groups);
  Conv2dGeometry g;
  g.N = x[0], g.C = x[1], g.H = x[2], g.W = x[3];
  g.O = w[0], g.kH = w[2], g.kW = w[3];
  g.sH = stride.h, g.sW = stride.w, g.pH = padding.h, g.pW = padding.w, g.dH = dilation.h, g.dW = dilation.w;
  g.groups = groups;
  g.Ho = conv_out_size(op, g.H, g.kH, g.sH, g.pH, g.dH, x, w);
  g.Wo = conv_out_size(op, g.W, g.kW, g.sW, g.pW, g.dW, x, w);
  return g;
}

void check_tensors(const char* op, const Tensor& a, const Tensor& w, const Tensor& bias, int64_t channels) {
  DGM_CHECK(a.defined() && w.defined(), op, ": got an undefined tensor");
  DGM_CHECK(a.is_floating_point() && a.dtype() == w.dtype(), op, ": expected input and weight of one floating point ",
            "dtype, got ", dtype_name(a.dtype()), " and ", dtype_name(w.dtype()));
  if (bias.defined()) {
    DGM_CHECK(bias.dim() == 1 && bias.size(0) == channels, op, ": expected bias of shape (", channels, "), got ",
              shape_str(bias.shape()));
    DGM_CHECK(bias.dtype() == a.dtype(), op, ": bias dtype ", dtype_name(bias.dtype()), " differs from input dtype ",
              dtype_name(a.dtype()));
  }
}

// Runs f on a batched view of an unbatched (C,H,W) input and drops the batch dim again.
template <typename F>
Tensor batched(const char* op, const Tensor& x, F f) {
  DGM_CHECK(x.dim() == 3 || x.dim() == 4, op, ": expected input of shape (N,C,H,W) or (C,H,W), got ",
            shape_str(x.shape()));
  return x.dim() == 3 ? f(x.unsqueeze(0)).squeeze(0) : f(x);
}

}  // namespace

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, Int2 stride, Int2 padding, Int2 dilation,
              int64_t groups) {
  check_tensors("conv2d", input, weight, bias, weight.dim() > 0 ? weight.size(0) : 0);
  return batched("conv2d", input, [&](const Tensor& x) {
    return conv_op(x, weight, bias,
                   conv_geometry("conv2d", x.shape(), weight.shape(), stride, padding, dilation, groups));
  });
}

// conv_transpose2d(x, w) = input_grad(x, w) for the conv2d whose output has x's
// size and whose input has size (H-1)s - 2p + d(k-1) + output_padding + 1.
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias, Int2 stride, Int2 padding,
                        Int2 output_padding, int64_t groups, Int2 dilation) {
  const char* op = "conv_transpose2d";
  check_params(op, stride, padding, dilation, groups);
  DGM_CHECK(weight.dim() == 4, op, ": expected weight of shape (C,O/groups,kH,kW), got ", shape_str(weight.shape()));
  check_tensors(op, input, weight, bias, weight.size(1) * groups);
  DGM_CHECK(output_padding.h >= 0 && output_padding.w >= 0 &&
                (output_padding.h < stride.h || output_padding.h < dilation.h) &&
                (output_padding.w < stride.w || output_padding.w < dilation.w),
            op, ": output_padding (", output_padding.h, ",", output_padding.w,
            ") must be smaller than either stride or dilation");
  return batched(op, input, [&](const Tensor& x) {
    DGM_CHECK(x.size(1) == weight.size(0), op, ": weight of shape ", shape_str(weight.shape()), " expects input with ",
              weight.size(0), " channels, but input of shape ", shape_str(x.shape()), " has ", x.size(1), " channels");
    DGM_CHECK(weight.size(0) % groups == 0, op, ": in channels ", weight.size(0),
              " must be divisible by groups=", groups);
    Conv2dGeometry g;
    g.N = x.size(0), g.C = weight.size(1) * groups, g.O = weight.size(0);
    g.kH = weight.size(2), g.kW = weight.size(3), g.Ho = x.size(2), g.Wo = x.size(3);
    g.sH = stride.h, g.sW = stride.w, g.pH = padding.h, g.pW = padding.w, g.dH = dilation.h, g.dW = dilation.w;
    g.groups = groups;
    g.H = (g.Ho - 1) * g.sH - 2 * g.pH + g.dH * (g.kH - 1) + output_padding.h + 1;
    g.W = (g.Wo - 1) * g.sW - 2 * g.pW + g.dW * (g.kW - 1) + output_padding.w + 1;
    DGM_CHECK(g.H > 0 && g.W > 0, op, ": output size (", g.H, ",", g.W, ") is too small for input ",
              shape_str(x.shape()), " and weight ", shape_str(weight.shape()));
    Tensor y = input_grad_op(x, weight, g);
    return bias.defined() ? y + bias.view({1, g.C, 1, 1}) : y;
  });
}

Tensor conv2d_input_grad(const Tensor& grad_output, const Tensor& weight, const Shape& input_shape, Int2 stride,
                         Int2 padding, Int2 dilation, int64_t groups) {
  const char* op = "conv2d_input_grad";
  check_tensors(op, grad_output, weight, Tensor(), 0);
  Conv2dGeometry g = conv_geometry(op, input_shape, weight.shape(), stride, padding, dilation, groups);
  DGM_CHECK(grad_output.shape() == Shape({g.N, g.O, g.Ho, g.Wo}), op, ": expected grad_output of shape ",
            shape_str({g.N, g.O, g.Ho, g.Wo}), ", got ", shape_str(grad_output.shape()));
  return input_grad_op(grad_output, weight, g);
}

Tensor conv2d_weight_grad(const Tensor& input, const Tensor& grad_output, const Shape& weight_shape, Int2 stride,
                          Int2 padding, Int2 dilation, int64_t groups) {
  const char* op = "conv2d_weight_grad";
  check_tensors(op, input, grad_output, Tensor(), 0);
  DGM_CHECK(weight_shape.size() == 4, op, ": expected weight_shape (O,C/groups,kH,kW), got ", shape_str(weight_shape));
  Conv2dGeometry g = conv_geometry(op, input.shape(), weight_shape, stride, padding, dilation, groups);
  DGM_CHECK(grad_output.shape() == Shape({g.N, g.O, g.Ho, g.Wo}), op, ": expected grad_output of shape ",
            shape_str({g.N, g.O, g.Ho, g.Wo}), ", got ", shape_str(grad_output.shape()));
  return weight_grad_op(input, grad_output, g);
}

}  // namespace dgm::nn::functional
