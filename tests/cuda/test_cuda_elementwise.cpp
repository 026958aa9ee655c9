// Elementwise ops, copies between devices, the allocator and the device errors.
#include "parity.h"

using namespace dgm;
using dgm::test::check_close;
using dgm::test::check_cuda_matches_cpu;
using dgm::test::Tol;
using dgm::test::uniform_values;

TEST_CASE("to(kCUDA) and back keeps every value and dtype", "[cuda][copy]") {
  for (DType t : {kFloat32, kFloat64, kInt64, kBool}) {
    Tensor x = (uniform_values({7, 13, 5}, -5, 5) > 0.0).to(kFloat64) * uniform_values({7, 13, 5}, -5, 5, 3);
    x = x.to(t);
    Tensor g = x.to(kCUDA);
    REQUIRE(g.is_cuda());
    REQUIRE(g.dtype() == t);
    check_close("round trip", g.cpu(), x, {0, 0});
  }
  // Non-contiguous sources and destinations, both directions, with a dtype change.
  Tensor x = uniform_values({6, 10});
  Tensor xt = x.t();
  check_close("strided source", xt.to(kCUDA).cpu(), xt.contiguous(), {0, 0});
  Tensor g = zeros({10, 6}, TensorOptions(kFloat32).device(kCUDA));
  {
    NoGradGuard ng;
    g.t().copy_(x);  // host float64 -> strided device float32
  }
  check_close("copy_ into a strided CUDA view", g.cpu(), xt.to(kFloat32).contiguous(), {0, 0});
  Tensor h = zeros({6, 10}, kFloat64);
  {
    NoGradGuard ng;
    h.copy_(g.t());  // strided device -> host
  }
  check_close("copy_ from a strided CUDA view", h, x.to(kFloat32).to(kFloat64), {0, 0});
}

TEST_CASE("to(kCUDA) is differentiable: the gradient comes back to the CPU", "[cuda][copy]") {
  Tensor x = uniform_values({3, 4}).requires_grad_();
  Tensor y = (x.to(kCUDA) * 2.0).sum();
  y.backward();
  REQUIRE(x.grad().is_cpu());
  check_close("grad", x.grad(), full({3, 4}, 2.0, kFloat64), {0, 0});
}

TEST_CASE("factories make tensors on the GPU", "[cuda][factories]") {
  TensorOptions o = TensorOptions(kFloat32).device(kCUDA);
  check_close("zeros", zeros({5, 3}, o), zeros({5, 3}), {0, 0});
  check_close("full", full({4}, 2.5, o), full({4}, 2.5), {0, 0});
  check_close("arange", arange(0, 10, 1, TensorOptions(kInt64).device(kCUDA)), arange(0, 10, 1), {0, 0});
  Tensor e = empty({2, 2}, o);
  REQUIRE(e.is_cuda());
}

TEST_CASE("unary ops match the CPU (float32 and float64, contiguous and strided)", "[cuda][elementwise]") {
  using Fn = Tensor (*)(const Tensor&);
  struct Case {
    const char* name;
    std::function<Tensor(const Tensor&)> f;
    double lo, hi;
  };
  std::vector<Case> cases = {
      {"neg", [](const Tensor& x) { return -x; }, -3, 3},
      {"exp", [](const Tensor& x) { return x.exp(); }, -3, 3},
      {"log", [](const Tensor& x) { return x.log(); }, 0.1, 3},
      {"log1p", [](const Tensor& x) { return x.log1p(); }, -0.5, 3},
      {"expm1", [](const Tensor& x) { return x.expm1(); }, -3, 3},
      {"sqrt", [](const Tensor& x) { return x.sqrt(); }, 0.1, 3},
      {"rsqrt", [](const Tensor& x) { return x.rsqrt(); }, 0.1, 3},
      {"abs", [](const Tensor& x) { return x.abs(); }, -3, 3},
      {"sin", [](const Tensor& x) { return x.sin(); }, -3, 3},
      {"cos", [](const Tensor& x) { return x.cos(); }, -3, 3},
      {"tanh", [](const Tensor& x) { return x.tanh(); }, -3, 3},
      {"sigmoid", [](const Tensor& x) { return x.sigmoid(); }, -8, 8},
      {"relu", [](const Tensor& x) { return x.relu(); }, -3, 3},
      {"erf", [](const Tensor& x) { return erf(x); }, -3, 3},
      {"softplus", [](const Tensor& x) { return softplus(x, 2.0, 5.0); }, -5, 5},
      {"pow 2.5", [](const Tensor& x) { return x.pow(2.5); }, 0.1, 3},
      {"clamp", [](const Tensor& x) { return x.clamp(-0.5, 0.7); }, -3, 3},
  };
  for (DType t : {kFloat32, kFloat64}) {
    Tol tol = t == kFloat32 ? Tol{1e-6, 2e-6} : Tol{1e-14, 1e-13};
    for (const Case& c : cases) {
      Tensor x = uniform_values({7, 13, 5}, c.lo, c.hi).to(t);
      check_cuda_matches_cpu(
          c.name, [&](const std::vector<Tensor>& xs) { return c.f(xs[0]); }, {x}, tol, true);
      check_cuda_matches_cpu(
          std::string(c.name) + " (transposed)",
          [&](const std::vector<Tensor>& xs) { return c.f(xs[0].transpose(0, 2)); }, {x}, tol);
    }
  }
}

TEST_CASE("binary ops with broadcasting and non-contiguous operands match the CPU", "[cuda][elementwise]") {
  Tensor a = uniform_values({7, 1, 5}, 0.5, 2, 1);
  Tensor b = uniform_values({13, 5}, 0.5, 2, 2);
  Tensor c = uniform_values({5, 13}, 0.5, 2, 3);
  Tol tol{1e-6, 2e-6};
  for (DType t : {kFloat32, kFloat64}) {
    if (t == kFloat64) tol = {1e-14, 1e-13};
    std::vector<Tensor> in = {a.to(t), b.to(t), c.to(t)};
    check_cuda_matches_cpu(
        "a + b", [](auto& x) { return x[0] + x[1]; }, in, tol, true);
    check_cuda_matches_cpu(
        "a - c^T", [](auto& x) { return x[0] - x[2].t(); }, in, tol, true);
    check_cuda_matches_cpu(
        "a * b", [](auto& x) { return x[0] * x[1]; }, in, tol, true);
    check_cuda_matches_cpu(
        "a / c^T", [](auto& x) { return x[0] / x[2].t(); }, in, tol, true);
    check_cuda_matches_cpu(
        "a ^ b", [](auto& x) { return x[0].pow(x[1]); }, in, tol, true);
    check_cuda_matches_cpu(
        "minimum", [](auto& x) { return minimum(x[0], x[1]); }, in, tol);
    check_cuda_matches_cpu(
        "maximum", [](auto& x) { return maximum(x[0], x[2].t()); }, in, tol);
    check_cuda_matches_cpu(
        "where", [](auto& x) { return where(x[0] > x[1], x[0], x[2].t() * 3.0); }, in, tol, true);
    check_cuda_matches_cpu(
        "a * 2 + 1 (scalars)", [](auto& x) { return x[0] * 2.0 + 1.0; }, in, tol);
  }
  // Comparisons and logical ops give bool tensors; int64 arithmetic.
  Tensor i = (uniform_values({4, 6}, -10, 10) * 1.0).to(kInt64);
  Tensor j = (uniform_values({6}, -10, 10, 5)).to(kInt64);
  check_close("int64 add", (i.cuda() + j.cuda()).cpu(), i + j, {0, 0});
  check_close("int64 mul", (i.cuda() * j.cuda()).cpu(), i * j, {0, 0});
  check_close("lt", (i.cuda() < j.cuda()).cpu(), i < j, {0, 0});
  check_close("ge", (i.cuda() >= j.cuda()).cpu(), i >= j, {0, 0});
  check_close("logical_and", logical_and(i.cuda() > 0L, j.cuda() < 0L).cpu(), logical_and(i > 0L, j < 0L), {0, 0});
  check_close("logical_not", logical_not(i.cuda() > 0L).cpu(), logical_not(i > 0L), {0, 0});
}

TEST_CASE("NaN and infinity behave as on the CPU", "[cuda][elementwise]") {
  const double nan = std::nan(""), inf = INFINITY;
  Tensor x = tensor(std::vector<double>{nan, inf, -inf, 0.0, -0.0, 1.0}, {6}).to(kFloat32);
  Tensor y = tensor(std::vector<double>{1.0, nan, 2.0, -0.0, 3.0, inf}, {6}).to(kFloat32);
  Tensor xg = x.cuda(), yg = y.cuda();
  check_close("relu", xg.relu().cpu(), x.relu(), {0, 0});
  check_close("maximum", maximum(xg, yg).cpu(), maximum(x, y), {0, 0});
  check_close("minimum", minimum(xg, yg).cpu(), minimum(x, y), {0, 0});
  check_close("sigmoid", xg.sigmoid().cpu(), x.sigmoid(), {1e-7, 1e-6});
  check_close("clamp", xg.clamp(-1.0, 1.0).cpu(), x.clamp(-1.0, 1.0), {0, 0});
}

TEST_CASE("in-place ops on CUDA tensors", "[cuda][elementwise]") {
  NoGradGuard ng;
  Tensor x = uniform_values({5, 4}).to(kFloat32);
  Tensor g = x.cuda();
  Tensor y = uniform_values({4}, -1, 1, 9).to(kFloat32);
  x.add_(y, 0.5);
  g.add_(y.cuda(), 0.5);
  check_close("add_", g.cpu(), x, {1e-7, 1e-7});
  x.mul_(2.0);
  g.mul_(2.0);
  check_close("mul_", g.cpu(), x, {1e-7, 1e-7});
  x.t().fill_(3.0);
  g.t().fill_(3.0);
  check_close("fill_ of a transposed view", g.cpu(), x, {0, 0});
}

TEST_CASE("the caching allocator reuses blocks and counts them", "[cuda][allocator]") {
  cuda::empty_cache();
  cuda::reset_peak_memory_stats();
  auto s0 = cuda::memory_stats();
  REQUIRE(s0.reserved_bytes == s0.allocated_bytes);  // nothing cached after empty_cache
  {
    Tensor a = zeros({1000, 1000}, TensorOptions(kFloat32).device(kCUDA));  // 4 MB
    auto s1 = cuda::memory_stats();
    CHECK(s1.allocated_bytes - s0.allocated_bytes >= 4000000);
    CHECK(s1.num_device_allocs == s0.num_device_allocs + 1);
  }
  auto s2 = cuda::memory_stats();
  CHECK(s2.allocated_bytes == s0.allocated_bytes);  // freed to the cache...
  CHECK(s2.reserved_bytes > s0.reserved_bytes);     // ...which keeps it
  {
    Tensor b = zeros({1000, 1000}, TensorOptions(kFloat32).device(kCUDA));
    auto s3 = cuda::memory_stats();
    CHECK(s3.num_device_allocs == s2.num_device_allocs);  // reused: no cudaMalloc
    CHECK(s3.num_cache_hits == s2.num_cache_hits + 1);
    CHECK(s3.peak_allocated_bytes >= s3.allocated_bytes);
  }
  cuda::empty_cache();
  auto s4 = cuda::memory_stats();
  CHECK(s4.reserved_bytes == s4.allocated_bytes);
  CHECK(s4.num_device_frees > s2.num_device_frees);
}

TEST_CASE("out of memory is a dgm::Error with the bytes requested and free", "[cuda][allocator]") {
  try {
    Tensor huge = empty({int64_t{1} << 40}, TensorOptions(kFloat32).device(kCUDA));  // 4 TiB
    FAIL("allocated 4 TiB");
  } catch (const dgm::Error& e) {
    std::string m = e.what();
    INFO(m);
    CHECK(m.find("out of memory") != std::string::npos);
    CHECK(m.find("4398046511104 bytes") != std::string::npos);
    CHECK(m.find("free") != std::string::npos);
  }
  // The allocator still works afterwards.
  CHECK(ones({3}, TensorOptions(kFloat32).device(kCUDA)).sum().item<float>() == 3.0f);
}

TEST_CASE("mixing devices in one op is a dgm::Error naming both devices", "[cuda][errors]") {
  Tensor a = ones({3});
  Tensor b = ones({3}).cuda();
  auto message = [](const std::function<void()>& f) {
    try {
      f();
    } catch (const dgm::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::string m = message([&] { (void)(a + b); });
  INFO(m);
  CHECK(m.find("add") != std::string::npos);
  CHECK(m.find("cpu") != std::string::npos);
  CHECK(m.find("cuda:0") != std::string::npos);
  m = message([&] { (void)matmul(a.view({1, 3}), b.view({3, 1})); });
  CHECK(m.find("cuda:0") != std::string::npos);
  m = message([&] { (void)ones({2}, TensorOptions(kFloat32).device(Device(kCUDA, 1))); });
  CHECK(m.find("cuda:1") != std::string::npos);
}

TEST_CASE("printing a CUDA tensor shows its device", "[cuda][print]") {
  std::ostringstream s;
  s << tensor(std::vector<double>{1.0, 2.0}, {2}).to(kFloat32).cuda();
  CHECK(s.str() == "tensor([1., 2.], device='cuda:0')");
}
