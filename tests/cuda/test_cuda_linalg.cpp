// matmul (cuBLAS, and the int64 kernel), bmm / linear / attention built on
// it, and the LAPACK ops (run through the CPU) on CUDA tensors, against the
// same calls on the CPU: values, gradients and second derivatives, in every
// shape case tests/test_linalg.cpp covers.
//
// Tolerances. float64: 1e-12, as elsewhere; the linalg ops get 1e-11 because
// their gradients chain several GPU matmuls whose summation order differs
// from OpenBLAS's and then go through solves with A's condition number (< 10
// for the shifted matrices used here). float32 matmul: each output is a sum
// of K products of numbers of size <= ~1; both backends round every partial
// sum (unit roundoff u = 2^-24 ~ 6e-8) but in a different order (OpenBLAS's
// blocking vs cuBLAS's tiles, split-K, fused multiply-adds), so they differ
// by about sqrt(K) u |partial sums| ~ K u. f32_tol(K) allows 1e-6 + 4 K u
// absolute (+ 1e-5 relative), where K is the longest sum in the forward or
// backward pass (the inner dim, or the rows / batch summed for a gradient).
#include <limits>

#include "parity.h"
#include "tensor/kernels/linalg.h"

using namespace dgm;
using dgm::test::check_close;
using dgm::test::check_cuda_matches_cpu;
using dgm::test::Tol;
using dgm::test::uniform_values;
using dgm::test::wsum;
using In = std::vector<Tensor>;
using Fn = std::function<Tensor(const In&)>;

namespace {

constexpr double kU32 = 5.9604644775390625e-08;  // 2^-24
const Tol kF64{1e-12, 1e-12};
const Tol kLinalg64{1e-11, 1e-11};

Tol f32_tol(int64_t K) { return {1e-6 + 4.0 * static_cast<double>(K) * kU32, 1e-5}; }

Tensor U(const Shape& shape, uint64_t seed, double lo = -1, double hi = 1) {
  return uniform_values(shape, lo, hi, seed);
}

In with_dtype(const In& in, DType t) {
  In out;
  for (const Tensor& x : in) out.push_back(x.is_floating_point() ? x.to(t) : x);
  return out;
}

// The message of the dgm::Error f throws ("no error" when it throws none).
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const dgm::Error& e) {
    return e.what();
  }
  return "no error";
}

// An identity matrix like x (dtype and device).
Tensor eye_like(int64_t n, const Tensor& x) { return eye(n, TensorOptions(x.dtype()).device(x.device())); }

// Symmetric positive-definite, made inside a checked function: X X^T + n I.
Tensor spd(const Tensor& x) {
  const int64_t n = x.size(-1);
  return x.matmul(x.mT()) + eye_like(n, x) * static_cast<double>(n);
}
Tensor shifted(const Tensor& x) { return x + eye_like(x.size(-1), x) * 3.0; }
// Symmetric with well separated eigenvalues (about 0, 2, 4).
Tensor sym_in(const Tensor& x) {
  Tensor d =
      tensor(std::vector<double>{0, 0, 0, 0, 2, 0, 0, 0, 4}, {3, 3}, TensorOptions(x.dtype()).device(x.device()));
  return (x + x.mT()) * 0.5 + d;
}

struct MatmulCase {
  std::string name;
  In inputs;
  Fn f;
  int64_t longest_sum = 64;  // for the float32 tolerance
};

Tensor mat(const In& x) { return matmul(x[0], x[1]); }

std::vector<MatmulCase> matmul_cases() {
  return {
      {"1-D . 1-D", {U({4}, 1), U({4}, 2)}, mat},
      {"2-D . 2-D", {U({3, 4}, 3), U({4, 2}, 4)}, mat},
      {"1-D . 2-D", {U({4}, 5), U({4, 2}, 6)}, mat},
      {"2-D . 1-D", {U({3, 4}, 7), U({4}, 8)}, mat},
      {"1-D . 3-D", {U({3}, 9), U({2, 3, 2}, 10)}, mat},
      {"3-D . 1-D", {U({2, 2, 3}, 11), U({3}, 12)}, mat},
      {"N-D . 2-D (batch folded into rows)", {U({3, 2, 5}, 13), U({5, 4}, 14)}, mat},
      {"2-D . N-D (stride-0 batch of a)", {U({4, 5}, 15), U({3, 5, 2}, 16)}, mat},
      // batch (2,5): strides (12,0) for a and (0,24) for b, no single stride: a host loop
      {"broadcast batch (2,1,3,4) @ (5,4,6)", {U({2, 1, 3, 4}, 17), U({5, 4, 6}, 18)}, mat},
      {"stride-0 batch from expand",
       {U({1, 3, 4}, 19), U({7, 4, 2}, 20)},
       [](const In& x) {
         return matmul(x[0].expand({7, 3, 4}), x[1]);
       }},
      {"stride-0 batch, transposed",
       {U({1, 3, 4}, 21), U({7, 4, 2}, 22)},
       [](const In& x) {
         return matmul(x[1].mT(), x[0].expand({7, 3, 4}).mT());
       }},
      {"a^T @ b^T", {U({6, 5}, 23), U({4, 6}, 24)}, [](const In& x) { return matmul(x[0].t(), x[1].t()); }},
      {"a^T @ a", {U({6, 5}, 25)}, [](const In& x) { return matmul(x[0].t(), x[0]); }},
      {"batched, b transposed",
       {U({3, 20, 24}, 26), U({3, 18, 24}, 27)},
       [](const In& x) { return matmul(x[0], x[1].mT()); }},
      {"batched, both transposed",
       {U({3, 24, 20}, 28), U({3, 18, 24}, 29)},
       [](const In& x) { return matmul(x[0].mT(), x[1].mT()); }},
      {"step in the last dim (copied first)",
       {U({6, 7}, 30), U({4, 6}, 31)},
       [](const In& x) { return matmul(x[1], x[0].slice(1, 0, std::nullopt, 2)); }},
      {"every other row (ld > cols)",
       {U({12, 5}, 32), U({5, 3}, 33)},
       [](const In& x) { return matmul(x[0].slice(0, 0, std::nullopt, 2), x[1]); }},
      {"columns of a wider matrix (ld > cols)",
       {U({4, 6}, 34), U({3, 5}, 35)},
       [](const In& x) { return matmul(x[0].narrow(1, 1, 3), x[1]); }},
      {"step in a batch dim",
       {U({6, 3, 4}, 36), U({3, 4, 2}, 37)},
       [](const In& x) { return matmul(x[0].slice(0, 0, std::nullopt, 2), x[1]); }},
      // batch strides (10, 40) for a: not one stride, a host loop over the first dim
      {"permuted batch dims",
       {U({3, 4, 2, 5}, 38), U({4, 3, 5, 6}, 39)},
       [](const In& x) { return matmul(x[0].transpose(0, 1), x[1]); }},
      {"expanded inner batch dim",
       {U({2, 1, 3, 4}, 40), U({2, 5, 4, 2}, 41)},
       [](const In& x) {
         return matmul(x[0].expand({2, 5, 3, 4}), x[1]);
       }},
      {"many small matrices",
       {U({600, 4, 5}, 42), U({600, 3, 5}, 43)},
       [](const In& x) { return matmul(x[0], x[1].mT()); }},
      {"1x1 @ 1x1", {U({1, 1}, 44), U({1, 1}, 45)}, mat},
      {"row @ column", {U({1, 7}, 46), U({7, 1}, 47)}, mat},
      {"column @ row", {U({7, 1}, 48), U({1, 5}, 49)}, mat},
      {"larger (64,300) @ (300,70)", {U({64, 300}, 50), U({300, 70}, 51)}, mat, 300},
  };
}

}  // namespace

TEST_CASE("matmul matches the CPU in every shape case, with gradients", "[cuda][linalg]") {
  for (const MatmulCase& c : matmul_cases()) {
    // float64: values, gradients and second derivatives
    check_cuda_matches_cpu(c.name + " (float64)", c.f, with_dtype(c.inputs, kFloat64), kF64, /*second_order=*/true);
    check_cuda_matches_cpu(c.name + " (float32)", c.f, with_dtype(c.inputs, kFloat32), f32_tol(c.longest_sum));
  }
}

TEST_CASE("matmul second derivatives through a nonlinearity", "[cuda][linalg]") {
  Fn f = [](const In& x) { return matmul(x[0], x[1]).tanh(); };
  check_cuda_matches_cpu("tanh(A B)", f, {U({3, 4}, 1), U({4, 2}, 2)}, kF64, true);
  check_cuda_matches_cpu("tanh(A B), broadcast batch", f, {U({2, 1, 2, 3}, 3), U({2, 3, 2}, 4)}, kF64, true);
  check_cuda_matches_cpu("tanh(a . b)", f, {U({3}, 5), U({3}, 6)}, kF64, true);
  check_cuda_matches_cpu(
      "A^T A", [](const In& x) { return matmul(x[0].t(), x[0]); }, {U({3, 2}, 7)}, kF64, true);
  check_cuda_matches_cpu(
      "bmm(A, B)^2", [](const In& x) { return bmm(x[0], x[1]).square(); }, {U({2, 2, 3}, 8), U({2, 3, 2}, 9)}, kF64,
      true);
}

TEST_CASE("matmul with K = 0 and with empty dims", "[cuda][linalg]") {
  for (DType t : {kFloat32, kFloat64}) {
    // K = 0: a sum of no terms is 0 (the output is filled, not left uninitialized)
    Tensor z = matmul(zeros({2, 0}, TensorOptions(t).device(kCUDA)), zeros({0, 3}, TensorOptions(t).device(kCUDA)));
    REQUIRE(z.is_cuda());
    check_close("K = 0", z, zeros({2, 3}, t), {0, 0});
    In k0 = with_dtype({U({4, 2, 0}, 1), U({4, 0, 3}, 2)}, t);
    check_cuda_matches_cpu("batched K = 0", mat, k0, kF64);
    check_cuda_matches_cpu("(0,3) @ (3,4)", mat, with_dtype({U({0, 3}, 3), U({3, 4}, 4)}, t), kF64);
    check_cuda_matches_cpu("(3,4) @ (4,0)", mat, with_dtype({U({3, 4}, 5), U({4, 0}, 6)}, t), kF64);
    check_cuda_matches_cpu("(2,0,3) @ (2,3,5)", mat, with_dtype({U({2, 0, 3}, 7), U({2, 3, 5}, 8)}, t), kF64);
    check_cuda_matches_cpu("(0,2,3) @ (3,5)", mat, with_dtype({U({0, 2, 3}, 9), U({3, 5}, 10)}, t), kF64);
  }
  Tensor e = matmul(zeros({0, 3}, kInt64).cuda(), zeros({3, 2}, kInt64).cuda());
  REQUIRE(e.shape() == Shape{0, 2});
  check_close("int64 K = 0", matmul(zeros({2, 0}, kInt64).cuda(), zeros({0, 2}, kInt64).cuda()).cpu(),
              zeros({2, 2}, kInt64), {0, 0});
}

TEST_CASE("matmul over more than 65535 matrices (several cuBLAS calls)", "[cuda][linalg]") {
  for (DType t : {kFloat32, kFloat64}) {
    Tol tol = t == kFloat64 ? kF64 : f32_tol(3);
    Tensor a = U({70000, 2, 3}, 1).to(t), b = U({70000, 3, 2}, 2).to(t);
    check_close("70000 matrices", matmul(a.cuda(), b.cuda()).cpu(), matmul(a, b), tol);
    // one matrix of a reused 70000 times (batch stride 0)
    Tensor a1 = U({1, 2, 3}, 3).to(t);
    check_close("70000 matrices, a broadcast", matmul(a1.cuda().expand({70000, 2, 3}), b.cuda()).cpu(),
                matmul(a1.expand({70000, 2, 3}), b), tol);
  }
}

TEST_CASE("int64 matmul matches the CPU exactly", "[cuda][linalg]") {
  auto ints = [](const Shape& s, uint64_t seed) { return (U(s, seed, -20, 20)).to(kInt64); };
  Tensor i = arange(6).reshape({2, 3}), j = arange(6).reshape({3, 2});
  Tensor ij = matmul(i.cuda(), j.cuda());
  REQUIRE(ij.is_cuda());
  REQUIRE(ij.dtype() == kInt64);
  check_close("(2,3) @ (3,2)", ij.cpu(), tensor(std::vector<int64_t>{10, 13, 28, 40}, {2, 2}), {0, 0});
  // views are taken after the move to the GPU (moving materializes them)
  struct Case {
    std::string name;
    In inputs;
    Fn f;
  };
  std::vector<Case> cases = {
      {"broadcast batch", {ints({2, 1, 3, 4}, 1), ints({5, 4, 6}, 2)}, mat},
      {"transposed", {ints({6, 5}, 3), ints({4, 6}, 4)}, [](const In& x) { return matmul(x[0].t(), x[1].t()); }},
      {"stride-0 batch",
       {ints({1, 3, 4}, 5), ints({7, 4, 2}, 6)},
       [](const In& x) {
         return matmul(x[0].expand({7, 3, 4}), x[1]);
       }},
      {"step in the last dim",
       {ints({4, 6}, 7), ints({6, 5}, 8)},
       [](const In& x) { return matmul(x[0], x[1].slice(1, 0, std::nullopt, 2)); }},
      {"vector . matrix", {ints({4}, 9), ints({7, 4, 2}, 10)}, mat},
      {"larger (40,130) @ (130,50)", {ints({40, 130}, 11), ints({130, 50}, 12)}, mat},
  };
  for (const Case& c : cases) {
    In gpu;
    for (const Tensor& x : c.inputs) gpu.push_back(x.cuda());
    Tensor got = c.f(gpu);
    REQUIRE(got.is_cuda());
    check_close(c.name, got.cpu(), c.f(c.inputs), {0, 0});
  }
}

TEST_CASE("float32 matmul is computed in float32, not TF32", "[cuda][linalg]") {
  // TF32 keeps 10 mantissa bits: each product would be off by up to ~2^-10
  // relative, and sums of 512 of them by ~2e-3. float32 rounds each of the 512
  // partial sums (|sum| < ~20) by at most u |sum| ~ 1e-6, randomly signed:
  // ~2e-5, and below 1e-4 over all 12288 outputs. The bound 5e-4 separates the two.
  Tensor a = U({128, 512}, 1), b = U({512, 96}, 2);
  Tensor exact = matmul(a, b);  // float64 on the CPU
  Tensor got = matmul(a.to(kFloat32).cuda(), b.to(kFloat32).cuda()).cpu().to(kFloat64);
  // the float32 inputs themselves are rounded: compare with the float64 product of the rounded inputs
  Tensor exact32 = matmul(a.to(kFloat32).to(kFloat64), b.to(kFloat32).to(kFloat64));
  const double worst = (got - exact32).abs().max().item();
  INFO("max |cuda float32 - float64| = " << worst << " (float64 of the unrounded inputs differs by "
                                         << (exact - exact32).abs().max().item() << ")");
  CHECK(worst < 5e-4);
}

TEST_CASE("mm, bmm, outer, trace and linear match the CPU", "[cuda][linalg]") {
  for (DType t : {kFloat64, kFloat32}) {
    const bool f64 = t == kFloat64;
    const Tol tol = f64 ? kF64 : f32_tol(64);
    auto in = [&](In x) { return with_dtype(x, t); };
    check_cuda_matches_cpu(
        "mm(a, b^T)", [](const In& x) { return mm(x[0], x[1].t()); }, in({U({3, 4}, 1), U({2, 4}, 2)}), tol, f64);
    check_cuda_matches_cpu(
        "bmm", [](const In& x) { return bmm(x[0], x[1]); }, in({U({2, 3, 4}, 3), U({2, 4, 2}, 4)}), tol, f64);
    check_cuda_matches_cpu(
        "bmm, transposed", [](const In& x) { return bmm(x[0].mT(), x[1]); }, in({U({5, 4, 3}, 5), U({5, 4, 6}, 6)}),
        tol, f64);
    check_cuda_matches_cpu(
        "outer", [](const In& x) { return outer(x[0], x[1]); }, in({U({3}, 7), U({4}, 8)}), tol, f64);
    check_cuda_matches_cpu(
        "trace", [](const In& x) { return trace(x[0]); }, in({U({3, 3}, 9)}), tol, f64);
    check_cuda_matches_cpu(
        "linear with bias, 3-D input", [](const In& x) { return nn::functional::linear(x[0], x[1], x[2]); },
        in({U({2, 3, 5}, 10), U({4, 5}, 11), U({4}, 12)}), tol, f64);
    check_cuda_matches_cpu(
        "linear without bias, 1-D input", [](const In& x) { return nn::functional::linear(x[0], x[1]); },
        in({U({5}, 13), U({4, 5}, 14)}), tol, f64);
    check_cuda_matches_cpu(
        "linear on a transposed input", [](const In& x) { return nn::functional::linear(x[0].t(), x[1], x[2]).tanh(); },
        in({U({5, 8}, 15), U({4, 5}, 16), U({4}, 17)}), tol, f64);
  }
}

TEST_CASE("scaled dot-product attention matches the CPU, forward and backward", "[cuda][linalg][attention]") {
  // A bool mask that keeps key 0 for every query (no row fully masked: that would be NaN).
  std::vector<bool> keep;
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 7; ++j) keep.push_back(j == 0 || (i + j) % 3 != 0);
  Tensor bool_mask = tensor(keep, {5, 7});
  for (DType t : {kFloat64, kFloat32}) {
    const bool f64 = t == kFloat64;
    // float32: sums of 8 (E) and 7 (S) terms and a softmax over 7: a few ulps of values <= ~1
    const Tol tol = f64 ? kF64 : Tol{1e-5, 1e-5};
    In qkv = with_dtype({U({2, 3, 5, 8}, 1), U({2, 3, 7, 8}, 2), U({2, 3, 7, 4}, 3)}, t);
    check_cuda_matches_cpu(
        "sdpa", [](const In& x) { return scaled_dot_product_attention(x[0], x[1], x[2]); }, qkv, tol, f64);
    In masked = qkv;
    masked.push_back(bool_mask);
    check_cuda_matches_cpu(
        "sdpa, bool mask", [](const In& x) { return scaled_dot_product_attention(x[0], x[1], x[2], x[3]); }, masked,
        tol);
    In additive = qkv;
    additive.push_back(U({5, 7}, 4, -2, 0).to(t));
    check_cuda_matches_cpu(
        "sdpa, float mask, scale 0.3",
        [](const In& x) { return scaled_dot_product_attention(x[0], x[1], x[2], x[3], 0.0, false, 0.3); }, additive,
        tol);
    In causal = with_dtype({U({2, 6, 8}, 5), U({2, 6, 8}, 6), U({2, 6, 3}, 7)}, t);
    check_cuda_matches_cpu(
        "sdpa, causal", [](const In& x) { return scaled_dot_product_attention(x[0], x[1], x[2], {}, 0.0, true); },
        causal, tol);
    check_cuda_matches_cpu(
        "sdpa, weights",
        [](const In& x) {
          return std::get<1>(nn::functional::scaled_dot_product_attention_with_weights(x[0], x[1], x[2]));
        },
        qkv, tol);
  }
}

TEST_CASE("MultiheadAttention forward and backward match the CPU", "[cuda][linalg][attention]") {
  auto mha = std::make_shared<nn::MultiheadAttention>(16, 4, 0.0, true, /*batch_first=*/true);
  const Tensor q = U({2, 5, 16}, 1), kv = U({2, 7, 16}, 2);
  // key_padding_mask (true = ignore): key 6 of batch 0, keys 3 and 4 of batch 1
  std::vector<bool> pad(14, false);
  pad[6] = pad[7 + 3] = pad[7 + 4] = true;
  const Tensor kpm = tensor(pad, {2, 7});
  const Tensor attn_mask = U({5, 7}, 3, -1, 0);

  // outputs, attention weights, input gradients, then every parameter's gradient, all on the CPU
  auto run = [&](Device dev, DType t) {
    mha->to(Device(kCPU));
    mha->to(t);
    mha->to(dev);
    mha->zero_grad();
    Tensor qd = q.to(t).to(dev).detach().requires_grad_();
    Tensor kd = kv.to(t).to(dev).detach().requires_grad_();
    auto [out, w] = mha->forward(qd, kd, kd, kpm.to(dev), true, attn_mask.to(t).to(dev));
    (wsum(out.cpu()) + wsum(w.cpu())).backward();
    std::vector<std::pair<std::string, Tensor>> r = {{"output", out.detach().cpu()},
                                                     {"weights", w.detach().cpu()},
                                                     {"grad query", qd.grad().cpu()},
                                                     {"grad key/value", kd.grad().cpu()}};
    for (auto& [name, p] : mha->named_parameters()) r.push_back({"grad " + name, p.grad().cpu()});
    return r;
  };
  for (DType t : {kFloat64, kFloat32}) {
    // float32: sums of 16 (embed) and 7 (keys) terms, parameter gradients sum over 10 positions
    const Tol tol = t == kFloat64 ? kF64 : Tol{2e-5, 2e-5};
    auto cpu = run(Device(kCPU), t);
    auto gpu = run(Device(kCUDA), t);
    REQUIRE(cpu.size() == gpu.size());
    for (size_t i = 0; i < cpu.size(); ++i)
      check_close("MultiheadAttention " + cpu[i].first, gpu[i].second, cpu[i].second, tol);
  }
  // Unbatched input with a bool attn_mask (true = not allowed), forward only.
  mha->to(Device(kCPU));
  mha->to(kFloat32);
  Tensor q2 = U({5, 16}, 4).to(kFloat32), kv2 = U({7, 16}, 5).to(kFloat32);
  std::vector<bool> banned;
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 7; ++j) banned.push_back(j > i + 1);
  Tensor bm = tensor(banned, {5, 7});
  NoGradGuard ng;
  auto [o_cpu, w_cpu] = mha->forward(q2, kv2, kv2, {}, true, bm);
  mha->to(Device(kCUDA));
  auto [o_gpu, w_gpu] = mha->forward(q2.cuda(), kv2.cuda(), kv2.cuda(), {}, true, bm.cuda());
  REQUIRE(o_gpu.is_cuda());
  check_close("unbatched output", o_gpu, o_cpu, {2e-5, 2e-5});
  check_close("unbatched weights", w_gpu, w_cpu, {2e-5, 2e-5});
}

TEST_CASE("linalg ops on CUDA tensors match the CPU, with gradients", "[cuda][linalg]") {
  const Tol tol = kLinalg64;
  // cholesky through an SPD matrix built inside the function
  check_cuda_matches_cpu(
      "cholesky", [](const In& x) { return linalg::cholesky(spd(x[0])); }, {U({3, 3}, 1)}, tol, true);
  check_cuda_matches_cpu(
      "cholesky upper, batched", [](const In& x) { return linalg::cholesky(spd(x[0]), true); }, {U({2, 3, 3}, 2)}, tol);
  // solve_triangular in its four forms
  auto tri = [](bool upper, bool left, bool unit) {
    return [=](const In& x) { return linalg::solve_triangular(shifted(x[0]), x[1], upper, left, unit); };
  };
  In ab{U({3, 3}, 4), U({3, 2}, 5)}, ab_right{U({3, 3}, 6), U({2, 3}, 7)};
  check_cuda_matches_cpu("solve_triangular lower", tri(false, true, false), ab, tol, true);
  check_cuda_matches_cpu("solve_triangular upper", tri(true, true, false), ab, tol);
  check_cuda_matches_cpu("solve_triangular upper unit", tri(true, true, true), ab, tol);
  check_cuda_matches_cpu("solve_triangular right", tri(false, false, false), ab_right, tol);
  check_cuda_matches_cpu(
      "solve_triangular, broadcast B",
      [](const In& x) { return linalg::solve_triangular(shifted(x[0].mT()), x[1], true); },
      {U({2, 3, 3}, 8), U({3, 2}, 9)}, tol);
  // solve, inv, slogdet, det
  check_cuda_matches_cpu(
      "solve, batched A", [](const In& x) { return linalg::solve(shifted(x[0]), x[1]); },
      {U({2, 3, 3}, 10), U({3, 2}, 11)}, tol);
  check_cuda_matches_cpu(
      "solve, 1-D B", [](const In& x) { return linalg::solve(shifted(x[0]), x[1]); }, {U({3, 3}, 12), U({3}, 13)}, tol);
  check_cuda_matches_cpu(
      "inv", [](const In& x) { return linalg::inv(shifted(x[0])); }, {U({3, 3}, 14)}, tol, true);
  check_cuda_matches_cpu(
      "slogdet logabs", [](const In& x) { return std::get<1>(linalg::slogdet(shifted(x[0]))); }, {U({2, 3, 3}, 15)},
      tol, true);
  check_cuda_matches_cpu(
      "slogdet sign", [](const In& x) { return std::get<0>(linalg::slogdet(x[0])); }, {U({4, 3, 3}, 16)}, tol);
  check_cuda_matches_cpu(
      "det", [](const In& x) { return linalg::det(shifted(x[0])); }, {U({3, 3}, 17)}, tol);
  // eigh: eigenvalues, and functions of the eigenvectors that do not depend on their signs
  check_cuda_matches_cpu(
      "eigvalsh", [](const In& x) { return linalg::eigvalsh(sym_in(x[0])); }, {U({3, 3}, 18)}, tol, true);
  check_cuda_matches_cpu(
      "eigh eigenvectors squared", [](const In& x) { return std::get<1>(linalg::eigh(sym_in(x[0]))).square(); },
      {U({3, 3}, 19)}, tol);
  check_cuda_matches_cpu(
      "eigh both outputs, batched",
      [](const In& x) {
        auto [w, V] = linalg::eigh(sym_in(x[0]));
        return w.exp() + (V * V.select(-2, 0).unsqueeze(-2)).sum({-2});
      },
      {U({2, 3, 3}, 20)}, tol);
  // float32: the same LAPACK calls on the CPU; only the matmul in spd() differs
  check_cuda_matches_cpu(
      "cholesky float32", [](const In& x) { return linalg::cholesky(spd(x[0])); }, {U({4, 4}, 21).to(kFloat32)},
      f32_tol(16));
  check_cuda_matches_cpu(
      "inv float32", [](const In& x) { return linalg::inv(shifted(x[0])); }, {U({4, 4}, 22).to(kFloat32)}, f32_tol(16));
  // results live on the GPU
  Tensor A = shifted(U({3, 3}, 23)).cuda();
  REQUIRE(linalg::inv(A).is_cuda());
  auto [sign, logabs] = linalg::slogdet(A);
  REQUIRE(sign.is_cuda());
  REQUIRE(logabs.is_cuda());
  auto [w, V] = linalg::eigh(A + A.mT());
  REQUIRE(w.is_cuda());
  REQUIRE(V.is_cuda());
  // a singular matrix: (0, -inf), as on the CPU
  auto [s0, l0] = linalg::slogdet(tensor(std::vector<double>{1, 2, 2, 4}, {2, 2}).cuda());
  CHECK(s0.item() == 0);
  CHECK(l0.item() == -std::numeric_limits<double>::infinity());
}

TEST_CASE("matmul and linalg errors on CUDA tensors", "[cuda][linalg][errors]") {
  TensorOptions g = TensorOptions(kFloat32).device(kCUDA);
  // the CPU's messages, word for word
  CHECK(error_of([&] {
          (void)matmul(zeros({3, 4}, g), zeros({5, 6}, g));
        }) == "matmul: shapes (3,4) and (5,6) cannot be multiplied (4 != 5)");
  CHECK(error_of([&] { (void)matmul(zeros({3}, g), zeros({4}, g)); }) ==
        "matmul: shapes (3) and (4) cannot be multiplied (3 != 4)");
  CHECK_THAT(error_of([&] {
               (void)matmul(zeros({2, 2, 3}, g), zeros({3, 3, 2}, g));
             }),
             Catch::Contains("cannot be broadcast"));
  CHECK_THAT(error_of([&] { (void)mm(zeros({2, 3, 4}, g), zeros({4, 2}, g)); }), Catch::Contains("mm: expected 2-D"));
  CHECK_THAT(error_of([&] {
               (void)bmm(zeros({2, 3, 4}, g), zeros({3, 4, 2}, g));
             }),
             Catch::Contains("bmm: expected 3-D tensors"));
  CHECK_THAT(error_of([&] {
               (void)matmul(zeros({2, 3}, g), zeros({3, 2}, g.dtype(kFloat64)));
             }),
             Catch::Contains("same dtype, got float32 and float64"));
  // mixed devices: the front end names both devices; the kernel names the operand
  std::string m = error_of([&] { (void)matmul(zeros({2, 3}), zeros({3, 2}, g)); });
  INFO(m);
  CHECK_THAT(m, Catch::Contains("matmul") && Catch::Contains("cpu") && Catch::Contains("cuda:0"));
  m = error_of([&] { (void)kernels::matmul(zeros({2, 3}, g), zeros({3, 2})); });
  CHECK(m ==
        "matmul: expected all tensors on one device, got cuda:0 for operand 1 (shape (2,3)) and cpu for operand 2 "
        "(shape (3,2))");
  m = error_of([&] { (void)linalg::solve(eye(2, g), ones({2, 1})); });
  CHECK_THAT(m, Catch::Contains("solve") && Catch::Contains("cpu") && Catch::Contains("cuda:0"));
  m = error_of([&] { (void)kernels::solve(eye(2, g), ones({2, 1})); });
  CHECK(m ==
        "solve: expected all tensors on one device, got cuda:0 for operand 1 (A, shape (2,2)) and cpu for operand 2 "
        "(B, shape (2,1))");

  // the CPU kernels' messages: not positive-definite, singular
  auto d = [](const std::vector<double>& v, const Shape& s) { return tensor(v, s).cuda(); };
  CHECK(error_of([&] {
          (void)linalg::cholesky(d({1, 2, 2, 1}, {2, 2}));
        }) == "cholesky: the input is not positive-definite (the leading minor of order 2 is not positive-definite)");
  CHECK_THAT(error_of([&] {
               (void)linalg::cholesky(d({1, 0, 0, 1, 4, 0, 0, -1}, {2, 2, 2}));
             }),
             Catch::Contains("leading minor of order 2") && Catch::Contains("batch element 1"));
  CHECK_THAT(error_of([&] {
               (void)linalg::inv(d({1, 2, 2, 4}, {2, 2}));
             }),
             Catch::Contains("inv: the input matrix is singular"));
  CHECK_THAT(error_of([&] {
               (void)linalg::solve(d({1, 2, 2, 4}, {2, 2}), ones({2, 1}, kFloat64).cuda());
             }),
             Catch::Contains("solve: the input matrix is singular"));
  CHECK_THAT(error_of([&] {
               (void)linalg::solve_triangular(d({1, 0, 2, 0}, {2, 2}), ones({2, 1}, kFloat64).cuda(), false);
             }),
             Catch::Contains("singular"));
  CHECK_THAT(error_of([&] {
               (void)linalg::eigh(zeros({2, 3}, g));
             }),
             Catch::Contains("eigh: expected a square matrix"));
}
