// Activation functions. Most are compositions of elementwise ops (their
// gradients follow); relu, elu, softplus and silu (on the CPU) are primitives with their own rule.
#include <cmath>

#include "autograd/grad_mode.h"
#include "autograd/node.h"
#include "autograd/ops/elementwise.h"
#include "tensor/factories.h"
#include "tensor/kernels/elementwise.h"
#include "tensor/kernels/elu.h"
#include "tensor/kernels/silu.h"

namespace dgm {

// d/dx relu(x) = 1 if x > 0 else 0   (0 at x = 0, as PyTorch)
Tensor relu(const Tensor& x) {
  return autograd::record("relu", kernels::unary(kernels::Unary::Relu, x), {x},
                          [x](const Tensor& g) { return std::vector{where(x.gt(0.0), g, 0.0)}; });
}

// leaky_relu(x) = x if x > 0 else slope x; derivative slope at x = 0 (PyTorch)
Tensor leaky_relu(const Tensor& x, double slope) { return where(x.gt(0.0), x, x * slope); }

// elu(x) = x if x > 0 else alpha (exp(x) - 1), one kernel;
// d/dx elu(x) = 1 if x > 0 else alpha exp(x)   (alpha at x = 0, as PyTorch). Computed from x, as PyTorch: the
// unused branch sees min(x, 0) (exp of a large x would overflow, and 0 * inf in the double backward is NaN).
// On the CPU the gradient is one fused kernel (tensor/kernels/elu.h); under create_graph, and on the GPU, the ops.
Tensor elu(const Tensor& x, double alpha) {
  DGM_CHECK(x.is_floating_point(), "elu: expected a floating point tensor, got ", dtype_name(x.dtype()));
  return autograd::record("elu", kernels::unary(kernels::Unary::Elu, x, alpha), {x}, [x, alpha](const Tensor& g) {
    if (x.is_cuda() || x.numel() == 0 || GradMode::is_enabled())
      return std::vector{where(x.gt(0.0), g, g * (alpha * exp(clamp(x, std::nullopt, 0.0))))};
    return std::vector{kernels::elu_backward(g.contiguous(), x.detach().contiguous(), alpha)};
  });
}

// selu(x) = scale * elu(x, alpha) with the constants of Klambauer et al. (2017)
Tensor selu(const Tensor& x) {
  constexpr double alpha = 1.6732632423543772848170429916717;
  constexpr double scale = 1.0507009873554804934193349852946;
  return scale * elu(x, alpha);
}

// silu(x) = x s, s = sigmoid(x);  d/dx silu(x) = s (1 + x (1 - s)). On the CPU one fused kernel each way
// (tensor/kernels/silu.h); the backward under create_graph, and the GPU, use the composite.
Tensor silu(const Tensor& x) {
  if (x.is_cuda() || !x.is_floating_point() || x.numel() == 0) return x * sigmoid(x);
  const Tensor data = x.detach().contiguous();
  return autograd::record("silu", kernels::silu_forward(data), {x}, [x, data](const Tensor& g) {
    if (GradMode::is_enabled()) {  // differentiable ops, for second derivatives
      Tensor s = sigmoid(x);
      return std::vector{g * s * (1.0 + x * (1.0 - s))};
    }
    return std::vector{kernels::silu_backward(g.contiguous(), data)};
  });
}

// gelu(x) = x Phi(x) = x/2 (1 + erf(x / sqrt 2));
// "tanh": x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
Tensor gelu(const Tensor& x, const std::string& approximate) {
  if (approximate == "tanh") return 0.5 * x * (1.0 + tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
  DGM_CHECK(approximate == "none", "gelu: approximate must be \"none\" or \"tanh\", got \"", approximate, "\"");
  return 0.5 * x * (1.0 + erf(x * M_SQRT1_2));
}

// softplus(x) = log(1 + exp(beta x)) / beta;  d/dx = sigmoid(beta x)  (1 above the threshold)
Tensor softplus(const Tensor& x, double beta, double threshold) {
  DGM_CHECK(x.is_floating_point(), "softplus: expected a floating point tensor, got ", dtype_name(x.dtype()));
  Tensor out = kernels::unary(kernels::Unary::Softplus, x, beta, threshold);
  return autograd::record("softplus", out, {x}, [x, beta, threshold](const Tensor& g) {
    Tensor bx = x * beta;
    return std::vector{where(bx.gt(threshold), g, g * sigmoid(bx))};
  });
}

}  // namespace dgm
