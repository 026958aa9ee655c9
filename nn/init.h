// Weight initialization, as torch.nn.init: every function fills its tensor in
// place (under NoGradGuard, so parameters can be filled) and returns it. A
// Generator* picks the random stream (nullptr: the default generator).
//
//   nn::init::kaiming_uniform_(w, std::sqrt(5.0));   // PyTorch's Linear/Conv default
//   nn::init::xavier_uniform_(w, nn::init::calculate_gain("tanh"));
//
// fan_in / fan_out of a weight (out, in, k1, k2, ...) are in*k1*k2*... and
// out*k1*k2*... (dims 1 and 0 times the receptive field), as PyTorch, also for
// ConvTranspose2d's (in, out/groups, kH, kW) weight.
#pragma once
#include <string>
#include <utility>

#include "tensor/tensor.h"

namespace dgm {
class Generator;
}

namespace dgm::nn::init {

// The recommended gain for a nonlinearity: linear/conv*/sigmoid 1, tanh 5/3,
// relu sqrt(2), leaky_relu sqrt(2 / (1 + slope^2)) (param = slope, default
// 0.01), selu 3/4.
double calculate_gain(const std::string& nonlinearity, double param = 0.01);

// (fan_in, fan_out); needs at least 2 dims.
std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& t);

Tensor uniform_(Tensor t, double a = 0, double b = 1, Generator* gen = nullptr);
Tensor normal_(Tensor t, double mean = 0, double std = 1, Generator* gen = nullptr);
Tensor constant_(Tensor t, double value);
Tensor zeros_(Tensor t);
Tensor ones_(Tensor t);

// U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)).
Tensor xavier_uniform_(Tensor t, double gain = 1, Generator* gen = nullptr);
// N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)).
Tensor xavier_normal_(Tensor t, double gain = 1, Generator* gen = nullptr);

// U(-bound, bound) with bound = sqrt(3) * gain / sqrt(fan), gain =
// calculate_gain(nonlinearity, a); mode "fan_in" or "fan_out". With a = sqrt(5)
// (PyTorch's Linear/Conv default) bound = 1 / sqrt(fan_in).
Tensor kaiming_uniform_(Tensor t, double a = 0, const std::string& mode = "fan_in",
                        const std::string& nonlinearity = "leaky_relu", Generator* gen = nullptr);
// N(0, std^2) with std = gain / sqrt(fan).
Tensor kaiming_normal_(Tensor t, double a = 0, const std::string& mode = "fan_in",
                       const std::string& nonlinearity = "leaky_relu", Generator* gen = nullptr);

}  // namespace dgm::nn::init
