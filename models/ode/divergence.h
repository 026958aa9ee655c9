// The divergence tr(df/dx) of a field on points, for the instantaneous change of variables (lecture 10):
//   d log p(x(t)) / dt = -tr(df/dx (t, x(t)))
// x (B, D) and dx = f(t, x) (B, D) computed from it row by row (each row's output depends on its own row only).
//
//   exact        tr(J) = sum_i e_i^T J e_i: one vector-Jacobian product per dimension (D of them; fine in 2-D)
//   hutchinson   e^T J e with E[e] = 0, E[e e^T] = I (Hutchinson 1989; FFJORD, Grathwohl et al. 2019): one VJP,
//                unbiased, with variance (per point, J its Jacobian, S = (J + J^T)/2)
//                  Rademacher e (+-1):   sum_{i<j} (J_ij + J_ji)^2      (the diagonal is read exactly)
//                  Gaussian e:           2 ||S||_F^2
// create_graph keeps the result differentiable (training through it: backprop or the adjoint's VJPs).
#pragma once
#include <string>

#include "tensor/tensor.h"

namespace dgm::models::ode {

enum class TraceMode { exact, hutchinson };
enum class TraceNoise { rademacher, gaussian };

// "exact", "hutchinson" / "rademacher", "gaussian"; anything else is a dgm::Error listing them.
TraceMode parse_trace_mode(const std::string& name);
std::string trace_mode_name(TraceMode mode);
TraceNoise parse_trace_noise(const std::string& name);
std::string trace_noise_name(TraceNoise noise);

// J (B, D, D), J[b, i, j] = d dx[b, i] / d x[b, j]: D VJPs.
Tensor batch_jacobian(const Tensor& dx, const Tensor& x, bool create_graph);
// tr(J) per row (B): D VJPs.
Tensor exact_trace(const Tensor& dx, const Tensor& x, bool create_graph);
// e^T J e per row (B): one VJP; e (B, D).
Tensor hutchinson_trace(const Tensor& dx, const Tensor& x, const Tensor& e, bool create_graph);
// Rademacher (+-1 with probability 1/2) or standard normal noise of x's shape, dtype and device.
Tensor trace_noise(const Tensor& like, TraceNoise noise, Generator* gen = nullptr);
// The variance of one draw of e^T J e, per row (B), in closed form from J (B, D, D) (formulas above).
Tensor hutchinson_variance(const Tensor& jacobian, TraceNoise noise);

}  // namespace dgm::models::ode
