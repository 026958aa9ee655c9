// Every kernel family's front door (tensor/kernels/*.cpp) refuses a CPU
// operand next to a CUDA one, with the CPU's message, before any backend
// runs; a copy is the one kernel that crosses devices. (tests/test_backend.cpp
// checks the same without a GPU.)
#include <functional>
#include <string>

#include "parity.h"
#include "tensor/kernels/conv.h"
#include "tensor/kernels/elementwise.h"
#include "tensor/kernels/index.h"
#include "tensor/kernels/optim.h"

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

void check_mixed(const std::string& m, const std::string& op) {
  INFO(m);
  CHECK(m.rfind(op + ": expected all tensors on one device, got ", 0) == 0);
  CHECK(m.find("cpu for operand") != std::string::npos);
  CHECK(m.find("cuda:0 for operand") != std::string::npos);
}

}  // namespace

TEST_CASE("kernels refuse a CPU operand next to a CUDA one", "[cuda][errors]") {
  const TensorOptions g = TensorOptions(kFloat32).device(kCUDA);
  Tensor c = ones({2, 3}), d = ones({2, 3}, g);
  check_mixed(error_of([&] { (void)kernels::binary(kernels::Binary::Mul, d, c); }), "binary");
  check_mixed(error_of([&] { (void)kernels::where(ones({2, 3}, TensorOptions(kBool)), d, d); }), "where");
  check_mixed(error_of([&] { (void)kernels::gather(d, 0, zeros({2, 3}, TensorOptions(kInt64))); }), "gather");

  kernels::Conv2dGeometry cg;
  cg.N = 1, cg.C = 2, cg.H = 3, cg.W = 3, cg.O = 2, cg.kH = 1, cg.kW = 1, cg.Ho = 3, cg.Wo = 3;
  check_mixed(error_of([&] {
                (void)kernels::conv2d(ones({1, 2, 3, 3}, g), ones({2, 2, 1, 1}, g), ones({2}), cg);
              }),
              "conv2d");
  kernels::Pool2dGeometry pg;
  pg.N = 1, pg.C = 2, pg.H = 2, pg.W = 2, pg.Ho = 1, pg.Wo = 1, pg.kH = 2, pg.kW = 2, pg.sH = 2, pg.sW = 2;
  check_mixed(error_of([&] {
                (void)kernels::max_pool2d_gather(ones({1, 2, 2, 2}, g), zeros({1, 2, 1, 1}, TensorOptions(kInt64)), pg);
              }),
              "max_pool2d_gather");
  const std::string m = error_of([&] { kernels::adam_step_(d, d, d, c, {1e-3, 0.9, 0.999, 1e-8, 0.1, 0.1}); });
  INFO(m);
  CHECK(m.find("adam_step_: gradient and state must match the parameter") == 0);

  // A copy crosses devices: both directions, converting the dtype on the way.
  Tensor back = empty({2, 3}, kFloat64);
  kernels::copy(back, d);
  CHECK(back.sum().item<double>() == 6);
}
