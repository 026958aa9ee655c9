// The front doors of the kernels (tensor/kernels/*.cpp) check that every
// operand is on one device before any backend runs, with one message naming
// the op, each side's device, operand number, name and shape. These tests run
// on every machine: a GPU is not needed to see that a CPU tensor and a CUDA
// tensor may not meet.
#include <catch2/catch.hpp>
#include <functional>
#include <string>

#include "dgm.h"
#include "tensor/kernels/conv.h"
#include "tensor/kernels/elementwise.h"
#include "tensor/kernels/index.h"
#include "tensor/kernels/layer_norm.h"
#include "tensor/kernels/linalg.h"
#include "tensor/kernels/optim.h"
#include "tensor/kernels/reduce.h"

using namespace dgm;

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const dgm::Error& e) {
    return e.what();
  }
  return "no error";
}

// A CPU tensor whose storage claims to be on cuda:0, so that a machine
// without a GPU can build the mixed-device calls. The front doors look at
// the devices before they read a single number, so its memory is never
// touched as a GPU's; its storage is labelled CPU again before it is freed.
struct OnCudaLabel {
  Tensor t;
  explicit OnCudaLabel(const Tensor& cpu_tensor) : t(cpu_tensor) { t.impl()->storage->device = Device(kCUDA); }
  ~OnCudaLabel() { t.impl()->storage->device = Device(kCPU); }
};

void check_mixed(const std::string& message, const std::string& op) {
  INFO(message);
  CHECK(message.rfind(op + ": expected all tensors on one device, got ", 0) == 0);
  CHECK(message.find("cpu for operand") != std::string::npos);
  CHECK(message.find("cuda:0 for operand") != std::string::npos);
}

}  // namespace

TEST_CASE("the device message names the op and each operand", "[backend]") {
  Tensor x = ones({2, 3});
  OnCudaLabel index(zeros({2, 3}, kInt64));
  CHECK(error_of([&] { (void)kernels::gather(x, 1, index.t); }) ==
        "gather: expected all tensors on one device, got cpu for operand 1 (input, shape (2,3)) and cuda:0 for "
        "operand 2 (index, shape (2,3))");
  // Undefined operands (no bias) are skipped; the first defined one sets the device.
  OnCudaLabel w(ones({4, 3, 1, 1}));
  kernels::Conv2dGeometry g;
  g.N = 1, g.C = 3, g.H = 2, g.W = 2, g.O = 4, g.kH = 1, g.kW = 1, g.Ho = 2, g.Wo = 2;
  CHECK(error_of([&] {
          (void)kernels::conv2d(ones({1, 3, 2, 2}), w.t, Tensor(), g);
        }) ==
        "conv2d: expected all tensors on one device, got cpu for operand 1 (input, shape (1,3,2,2)) and cuda:0 for "
        "operand 2 (weight, shape (4,3,1,1))");
}

TEST_CASE("elementwise kernels refuse a CPU and a CUDA operand", "[backend]") {
  Tensor a = ones({2, 3});
  OnCudaLabel b(ones({2, 3}));
  OnCudaLabel cond(ones({2, 3}, kBool));
  check_mixed(error_of([&] { (void)kernels::binary(kernels::Binary::Add, a, b.t); }), "binary");
  check_mixed(error_of([&] { (void)kernels::binary(kernels::Binary::Lt, b.t, a); }), "binary");
  check_mixed(error_of([&] { (void)kernels::where(cond.t, a, a); }), "where");
  // Through the public ops too, and nothing is computed: a stays as it was.
  const std::string m = error_of([&] { (void)(a + b.t); });
  INFO(m);
  CHECK(m.find("cuda:0") != std::string::npos);
  CHECK(a.sum().item<double>() == 6);
}

TEST_CASE("index kernels refuse a CPU and a CUDA operand", "[backend]") {
  Tensor x = zeros({3, 4});
  OnCudaLabel src(ones({3, 4}));
  OnCudaLabel index(zeros({3, 4}, kInt64));
  OnCudaLabel index1(zeros({2}, kInt64));
  check_mixed(error_of([&] { (void)kernels::gather(x, 0, index.t); }), "gather");
  check_mixed(error_of([&] { kernels::scatter_(x, 0, zeros({3, 4}, kInt64), src.t, true); }), "scatter");
  check_mixed(error_of([&] { (void)kernels::index_select(x, 0, index1.t); }), "index_select");
  check_mixed(error_of([&] { kernels::index_add_(x, 0, index1.t, zeros({2, 4})); }), "index_add");
  CHECK(x.abs().sum().item<double>() == 0);  // untouched
}

TEST_CASE("linear algebra kernels refuse a CPU and a CUDA operand", "[backend]") {
  Tensor a = eye(3);
  OnCudaLabel b(ones({3, 2}));
  check_mixed(error_of([&] { (void)kernels::matmul(a, b.t); }), "matmul");
  check_mixed(error_of([&] { (void)kernels::solve_triangular(a, b.t, false, false); }), "solve_triangular");
  check_mixed(error_of([&] { (void)kernels::solve(a, b.t); }), "solve");
}

TEST_CASE("spatial kernels refuse a CPU and a CUDA operand", "[backend]") {
  kernels::Conv2dGeometry g;
  g.N = 1, g.C = 2, g.H = 3, g.W = 3, g.O = 2, g.kH = 1, g.kW = 1, g.Ho = 3, g.Wo = 3;
  Tensor x = ones({1, 2, 3, 3}), w = ones({2, 2, 1, 1});
  OnCudaLabel bias(ones({2}));
  OnCudaLabel gy(ones({1, 2, 3, 3}));
  check_mixed(error_of([&] { (void)kernels::conv2d(x, w, bias.t, g); }), "conv2d");
  check_mixed(error_of([&] { (void)kernels::conv2d_input_grad(gy.t, w, g); }), "conv2d_input_grad");
  check_mixed(error_of([&] { (void)kernels::conv2d_weight_grad(x, gy.t, g); }), "conv2d_weight_grad");

  kernels::Pool2dGeometry p;
  p.N = 1, p.C = 2, p.H = 2, p.W = 2, p.Ho = 1, p.Wo = 1, p.kH = 2, p.kW = 2, p.sH = 2, p.sW = 2;
  OnCudaLabel indices(zeros({1, 2, 1, 1}, kInt64));
  check_mixed(error_of([&] {
                (void)kernels::max_pool2d_scatter(ones({1, 2, 1, 1}), indices.t, p);
              }),
              "max_pool2d_backward");
  check_mixed(error_of([&] {
                (void)kernels::max_pool2d_gather(ones({1, 2, 2, 2}), indices.t, p);
              }),
              "max_pool2d_gather");
}

TEST_CASE("the fused Adam step refuses state on another device", "[backend]") {
  Tensor p = ones({4}), g = ones({4}), m = zeros({4});
  OnCudaLabel v(zeros({4}));
  const std::string msg = error_of([&] { kernels::adam_step_(p, g, m, v.t, {1e-3, 0.9, 0.999, 1e-8, 0.1, 0.1}); });
  INFO(msg);
  CHECK(msg.rfind("adam_step_: gradient and state must match the parameter (4) float32 on cpu", 0) == 0);
  CHECK(msg.find("on cuda:0") != std::string::npos);
  CHECK(p.sum().item<double>() == 4);  // untouched
}

TEST_CASE("the fused layer norm refuses a weight on another device", "[backend]") {
  Tensor x = ones({2, 4});
  OnCudaLabel weight(ones({4}));
  check_mixed(error_of([&] {
                (void)kernels::layer_norm_forward(x, {2, 4, 1}, weight.t, Tensor(), 1e-5);
              }),
              "layer_norm_forward");
  // and is CPU only: a CUDA input is refused by name
  OnCudaLabel xc(ones({2, 4}));
  CHECK(error_of([&] {
          (void)kernels::layer_norm_forward(xc.t, {2, 4, 1}, Tensor(), Tensor(), 1e-5);
        }) == "layer_norm_forward kernel: CPU only, got a tensor on cuda:0");
}

TEST_CASE("a copy may cross devices, a shape mismatch may not", "[backend]") {
  OnCudaLabel dst(zeros({2, 2}));
  const std::string m = error_of([&] { kernels::copy(dst.t, ones({3})); });
  CHECK(m == "copy: shapes (2,2) and (3) differ");
}

TEST_CASE("without CUDA built in, the CUDA backend only throws", "[backend]") {
  if (cuda::is_built()) {
    SUCCEED("dgm is built with CUDA: dgm_cuda_tests covers the CUDA backend");
    return;
  }
  OnCudaLabel x(ones({2}));
  for (const std::string& m :
       {error_of([&] { (void)kernels::unary(kernels::Unary::Exp, x.t); }),
        error_of([&] { (void)kernels::reduce(kernels::Reduce::Sum, x.t, {0}, false); }), error_of([&] {
          (void)kernels::matmul(x.t.view({1, 2}), x.t.view({2, 1}));
        })}) {
    INFO(m);
    CHECK(m.find("dgm was built without CUDA") != std::string::npos);
  }
}
