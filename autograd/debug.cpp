#include "autograd/debug.h"

#include <cstdlib>
#include <iostream>

#include "autograd/grad_mode.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/reduction.h"

namespace dgm::autograd {
namespace {
bool env_flag(const char* name) {
  const char* v = std::getenv(name);
  return v && *v && std::string(v) != "0";
}
}  // namespace

bool debug_log_ops() {
  static const bool on = env_flag("DGM_DEBUG");
  return on;
}

bool debug_detect_nan() {
  static const bool on = env_flag("DGM_DETECT_NAN");
  return on;
}

void check_finite(const Tensor& t, const char* what, const char* stage) {
  if (!t.defined() || !t.is_floating_point()) return;
  NoGradGuard no_grad;
  Tensor d = t.detach();
  // x - x is NaN exactly when x is NaN or +-Inf
  bool bad = (d - d).ne(0.0).any().item<bool>();
  DGM_CHECK(!bad, what, ": produced NaN/Inf in ", stage, " (a tensor of shape ", shape_str(t.shape()), ", ",
            dtype_name(t.dtype()), ")");
}

}  // namespace dgm::autograd
