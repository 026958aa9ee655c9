// The one check most CUDA tests make: run a function of tensors on the CPU and
// on the GPU with the same inputs, and compare the outputs and the gradients.
//
// Tolerances are stated per test. float32 kernels on the GPU sum in a
// different order (and use fused multiply-adds), so they agree with the CPU
// to a few ulps times the length of the sums involved: 1e-5 relative for
// elementwise math, more for long reductions and convolutions. float64
// comparisons use 1e-12.
#pragma once
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "dgm.h"
#include "helpers.h"

namespace dgm::test {

struct Tol {
  double atol = 1e-5;
  double rtol = 1e-5;
};

// Every element of `got` (any device) is within atol + rtol*|expected| of `expected`.
inline void check_close(const std::string& what, const Tensor& got, const Tensor& expected, Tol tol) {
  INFO(what);
  REQUIRE(got.defined() == expected.defined());
  if (!got.defined()) return;
  REQUIRE(got.shape() == expected.shape());
  REQUIRE(got.dtype() == expected.dtype());
  std::vector<double> g = got.to_vector<double>(), e = expected.to_vector<double>();
  double worst = 0;
  size_t worst_i = 0;
  bool nan_mismatch = false;
  for (size_t i = 0; i < g.size(); ++i) {
    if (std::isnan(e[i]) || std::isnan(g[i])) {
      nan_mismatch = nan_mismatch || (std::isnan(e[i]) != std::isnan(g[i]));
      continue;
    }
    if (std::isinf(e[i]) && g[i] == e[i]) continue;
    double excess = std::fabs(g[i] - e[i]) - (tol.atol + tol.rtol * std::fabs(e[i]));
    if (excess > worst) worst = excess, worst_i = i;
  }
  INFO("worst element " << worst_i << ": cuda " << (g.empty() ? 0 : g[worst_i]) << ", cpu "
                        << (e.empty() ? 0 : e[worst_i]));
  CHECK(!nan_mismatch);
  CHECK(worst == 0);
}

// f on CPU copies and on CUDA copies of `inputs`; the outputs must agree, and
// so must the gradients of wsum(f(...)) with respect to every floating-point
// input (and, with second_order, the gradients of wsum(those gradients)).
inline void check_cuda_matches_cpu(const std::string& name, const std::function<Tensor(const std::vector<Tensor>&)>& f,
                                   const std::vector<Tensor>& inputs, Tol tol = {}, bool second_order = false) {
  auto run = [&](Device device) {
    std::vector<Tensor> xs;
    for (const Tensor& x : inputs) {
      Tensor c = x.detach().to(device);
      if (c.is_floating_point()) c.requires_grad_(true);
      xs.push_back(c);
    }
    Tensor y = f(xs);
    std::vector<Tensor> grads(xs.size()), grads2(xs.size());
    std::vector<Tensor> wrt;
    for (const Tensor& x : xs)
      if (x.requires_grad()) wrt.push_back(x);
    if (y.requires_grad() && !wrt.empty()) {
      std::vector<Tensor> g = autograd::grad({wsum(y.to(kCPU))}, wrt, {}, /*retain_graph=*/true,
                                             /*create_graph=*/second_order, /*allow_unused=*/true);
      Tensor total;
      for (size_t i = 0, j = 0; i < xs.size(); ++i) {
        if (!xs[i].requires_grad()) continue;
        grads[i] = g[j++];
        if (second_order && grads[i].defined() && grads[i].requires_grad()) {
          Tensor s = wsum(grads[i].to(kCPU));
          total = total.defined() ? total + s : s;
        }
      }
      if (total.defined()) {
        std::vector<Tensor> h = autograd::grad({total}, wrt, {}, false, false, true);
        for (size_t i = 0, j = 0; i < xs.size(); ++i)
          if (xs[i].requires_grad()) grads2[i] = h[j++];
      }
    }
    return std::tuple{y.detach(), grads, grads2};
  };
  auto [y_cpu, g_cpu, h_cpu] = run(Device(kCPU));
  auto [y_gpu, g_gpu, h_gpu] = run(Device(kCUDA));
  REQUIRE(y_gpu.is_cuda());
  check_close(name + ": output", y_gpu, y_cpu, tol);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (g_gpu[i].defined()) REQUIRE(g_gpu[i].is_cuda());
    check_close(name + ": gradient of input " + std::to_string(i), g_gpu[i], g_cpu[i], tol);
    if (second_order) check_close(name + ": second derivative, input " + std::to_string(i), h_gpu[i], h_cpu[i], tol);
  }
}

}  // namespace dgm::test
