#include "nn/modules/conv.h"

#include <cmath>
#include <sstream>

#include "nn/init.h"
#include "tensor/factories.h"

namespace dgm::nn {

namespace detail {

std::string int2_str(Int2 v) {
  std::ostringstream os;
  os << "(" << v.h << ", " << v.w << ")";
  return os.str();
}

void reset_conv(Tensor& weight, Tensor& bias, Generator* gen) {
  init::kaiming_uniform_(weight, std::sqrt(5.0), "fan_in", "leaky_relu", gen);
  if (bias.defined()) {
    const int64_t fan_in = init::calculate_fan_in_and_fan_out(weight).first;
    const double bound = fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
    init::uniform_(bias, -bound, bound, gen);
  }
}

}  // namespace detail

namespace {

void check_channels(const char* op, int64_t in, int64_t out, int64_t groups, Int2 k) {
  DGM_CHECK(groups > 0, op, ": groups must be positive, got ", groups);
  DGM_CHECK(in > 0 && out > 0 && in % groups == 0 && out % groups == 0, op, ": in_channels=", in,
            " and out_channels=", out, " must be positive and divisible by groups=", groups);
  DGM_CHECK(k.h > 0 && k.w > 0, op, ": kernel_size must be positive, got ", detail::int2_str(k));
}

// The part of PyTorch's conv repr after the channel counts.
std::string conv_repr(Int2 k, Int2 s, Int2 p, Int2 d, Int2 op, int64_t groups, bool bias, bool transposed) {
  std::string r = "kernel_size=" + detail::int2_str(k) + ", stride=" + detail::int2_str(s);
  if (p.h != 0 || p.w != 0) r += ", padding=" + detail::int2_str(p);
  if (d.h != 1 || d.w != 1) r += ", dilation=" + detail::int2_str(d);
  if (transposed && (op.h != 0 || op.w != 0)) r += ", output_padding=" + detail::int2_str(op);
  if (groups != 1) r += ", groups=" + std::to_string(groups);
  if (!bias) r += ", bias=False";
  return r;
}

}  // namespace

Conv2d::Conv2d(int64_t in, int64_t out, Int2 k, Int2 s, Int2 p, Int2 d, int64_t g, bool with_bias)
    : in_channels(in), out_channels(out), kernel_size(k), stride(s), padding(p), dilation(d), groups(g) {
  check_channels("Conv2d", in, out, g, k);
  weight = register_parameter("weight", empty({out, in / g, k.h, k.w}, kFloat32));
  if (with_bias) bias = register_parameter("bias", empty({out}, kFloat32));
  reset_parameters();
}

void Conv2d::reset_parameters(Generator* gen) { detail::reset_conv(weight, bias, gen); }

Tensor Conv2d::forward(const Tensor& x) {
  return functional::conv2d(x, weight, bias, stride, padding, dilation, groups);
}

std::string Conv2d::extra_repr() const {
  return std::to_string(in_channels) + ", " + std::to_string(out_channels) + ", " +
         conv_repr(kernel_size, stride, padding, dilation, 0, groups, bias.defined(), false);
}

ConvTranspose2d::ConvTranspose2d(int64_t in, int64_t out, Int2 k, Int2 s, Int2 p, Int2 op, int64_t g, bool with_bias,
                                 Int2 d)
    : in_channels(in),
      out_channels(out),
      kernel_size(k),
      stride(s),
      padding(p),
      output_padding(op),
      groups(g),
      dilation(d) {
  check_channels("ConvTranspose2d", in, out, g, k);
  weight = register_parameter("weight", empty({in, out / g, k.h, k.w}, kFloat32));
  if (with_bias) bias = register_parameter("bias", empty({out}, kFloat32));
  reset_parameters();
}

void ConvTranspose2d::reset_parameters(Generator* gen) { detail::reset_conv(weight, bias, gen); }

Tensor ConvTranspose2d::forward(const Tensor& x) {
  return functional::conv_transpose2d(x, weight, bias, stride, padding, output_padding, groups, dilation);
}

std::string ConvTranspose2d::extra_repr() const {
  return std::to_string(in_channels) + ", " + std::to_string(out_channels) + ", " +
         conv_repr(kernel_size, stride, padding, dilation, output_padding, groups, bias.defined(), true);
}

}  // namespace dgm::nn
