#include "nn/init.h"

#include <cmath>

#include "autograd/grad_mode.h"
#include "tensor/error.h"
#include "tensor/random.h"

namespace dgm::nn::init {

double calculate_gain(const std::string& nonlinearity, double param) {
  if (nonlinearity == "linear" || nonlinearity == "sigmoid" || nonlinearity == "identity" ||
      nonlinearity.rfind("conv", 0) == 0)
    return 1.0;
  if (nonlinearity == "tanh") return 5.0 / 3.0;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "leaky_relu") return std::sqrt(2.0 / (1.0 + param * param));
  if (nonlinearity == "selu") return 3.0 / 4.0;
  DGM_FAIL("calculate_gain: unsupported nonlinearity \"", nonlinearity, "\"");
}

std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& t) {
  DGM_CHECK(t.defined() && t.dim() >= 2,
            "calculate_fan_in_and_fan_out: fan in and fan out need a tensor with at least 2 dims, got shape ",
            t.defined() ? shape_str(t.shape()) : std::string("(undefined)"));
  int64_t receptive = 1;
  for (int64_t d = 2; d < t.dim(); ++d) receptive *= t.size(d);
  return {t.size(1) * receptive, t.size(0) * receptive};
}

namespace {

void check_float(const char* op, const Tensor& t) {
  DGM_CHECK(t.defined() && t.is_floating_point(), op, ": expected a floating point tensor, got ",
            t.defined() ? dtype_name(t.dtype()) : "an undefined tensor");
}

int64_t fan(const char* op, const Tensor& t, const std::string& mode) {
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  if (mode == "fan_in") return fan_in;
  if (mode == "fan_out") return fan_out;
  DGM_FAIL(op, ": mode must be \"fan_in\" or \"fan_out\", got \"", mode, "\"");
}

}  // namespace

Tensor uniform_(Tensor t, double a, double b, Generator* gen) {
  check_float("uniform_", t);
  NoGradGuard no_grad;
  t.uniform_(a, b, gen);
  return t;
}

Tensor normal_(Tensor t, double mean, double std, Generator* gen) {
  check_float("normal_", t);
  NoGradGuard no_grad;
  t.normal_(mean, std, gen);
  return t;
}

Tensor constant_(Tensor t, double value) {
  DGM_CHECK(t.defined(), "constant_: got an undefined tensor");
  NoGradGuard no_grad;
  t.fill_(value);
  return t;
}

Tensor zeros_(Tensor t) { return constant_(std::move(t), 0.0); }
Tensor ones_(Tensor t) { return constant_(std::move(t), 1.0); }

Tensor xavier_uniform_(Tensor t, double gain, Generator* gen) {
  check_float("xavier_uniform_", t);
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  const double a = gain * std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  return uniform_(std::move(t), -a, a, gen);
}

Tensor xavier_normal_(Tensor t, double gain, Generator* gen) {
  check_float("xavier_normal_", t);
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  const double std = gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out));
  return normal_(std::move(t), 0.0, std, gen);
}

Tensor kaiming_uniform_(Tensor t, double a, const std::string& mode, const std::string& nonlinearity, Generator* gen) {
  check_float("kaiming_uniform_", t);
  const int64_t f = fan("kaiming_uniform_", t, mode);
  DGM_CHECK(f > 0, "kaiming_uniform_: fan is 0 for a tensor of shape ", shape_str(t.shape()));
  const double bound = std::sqrt(3.0) * calculate_gain(nonlinearity, a) / std::sqrt(static_cast<double>(f));
  return uniform_(std::move(t), -bound, bound, gen);
}

Tensor kaiming_normal_(Tensor t, double a, const std::string& mode, const std::string& nonlinearity, Generator* gen) {
  check_float("kaiming_normal_", t);
  const int64_t f = fan("kaiming_normal_", t, mode);
  DGM_CHECK(f > 0, "kaiming_normal_: fan is 0 for a tensor of shape ", shape_str(t.shape()));
  const double std = calculate_gain(nonlinearity, a) / std::sqrt(static_cast<double>(f));
  return normal_(std::move(t), 0.0, std, gen);
}

}  // namespace dgm::nn::init
