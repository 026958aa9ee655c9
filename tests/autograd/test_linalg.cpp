// matmul's shape rules, values and gradients; the linalg ops (cholesky,
// solve_triangular, solve, inv, slogdet, eigh) against NumPy and gradcheck.
// Reference numbers were computed with NumPy (/usr/bin/python3) and pasted.
#include <limits>

#include "tests/helpers.h"

using namespace dgm;
using dgm::test::check_values;
using dgm::test::leaf;
using dgm::test::uniform_values;
using In = std::vector<Tensor>;

namespace {

Tensor dvec(const std::vector<double>& v, const Shape& shape) { return tensor(v, shape); }

// An independent reference: out[b,i,j] = sum_p a[b,i,p] b[b,p,j] over row-major
// copies, with the batch dims of a and b already expanded to one shape.
std::vector<double> naive_matmul(const Tensor& a, const Tensor& b) {
  std::vector<double> va = a.to_vector<double>(), vb = b.to_vector<double>();
  const int64_t n = a.size(-2), k = a.size(-1), m = b.size(-1), batch = a.numel() / (n * k);
  std::vector<double> out(batch * n * m, 0.0);
  for (int64_t t = 0; t < batch; ++t)
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < m; ++j)
        for (int64_t p = 0; p < k; ++p) out[(t * n + i) * m + j] += va[(t * n + i) * k + p] * vb[(t * k + p) * m + j];
  return out;
}

// A symmetric positive-definite input made inside a checked function: X X^T + n I.
Tensor spd(const Tensor& x) {
  const int64_t n = x.size(-1);
  return x.matmul(x.mT()) + eye(n, kFloat64) * static_cast<double>(n);
}

// NumPy: M = [[2,-1,.5],[.3,1.5,-.7],[1,.2,.9]], A = M M^T + 3 I
const std::vector<double> kA = {8.25, -1.25, 2.25, -1.25, 5.83, -0.03, 2.25, -0.03, 4.85};
const std::vector<double> kB = {1, 2, -1, 0.5, 3, -2};          // (3,2)
const std::vector<double> kN = {0, 2, 1, 1, 0.5, -1, 3, 1, 2};  // det -10.5

}  // namespace

TEST_CASE("matmul follows torch.matmul's shape rules", "[linalg]") {
  Tensor v3 = dvec({1, 2, 3}, {3});
  Tensor A23 = dvec({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor B32 = dvec({7, 8, 9, 10, 11, 12}, {3, 2});

  Tensor dot = matmul(v3, dvec({4, 5, 6}, {3}));  // 1-D . 1-D
  REQUIRE(dot.dim() == 0);
  check_values(dot, {32});
  Tensor mm2 = matmul(A23, B32);  // 2-D . 2-D
  REQUIRE(mm2.shape() == Shape{2, 2});
  check_values(mm2, {58, 64, 139, 154});
  Tensor vm = matmul(dvec({1, 2}, {2}), A23);  // 1-D . 2-D
  REQUIRE(vm.shape() == Shape{3});
  check_values(vm, {9, 12, 15});
  Tensor mv = A23.matmul(v3);  // 2-D . 1-D
  REQUIRE(mv.shape() == Shape{2});
  check_values(mv, {14, 32});

  Tensor B3 = arange(12, kFloat64).reshape({2, 2, 3});
  Tensor vb = matmul(dvec({1, 2}, {2}), B3);  // 1-D . 3-D
  REQUIRE(vb.shape() == Shape{2, 3});
  check_values(vb, {6, 9, 12, 24, 27, 30});       // NumPy
  Tensor bv = matmul(B3, dvec({1, -1, 2}, {3}));  // 3-D . 1-D
  REQUIRE(bv.shape() == Shape{2, 2});
  check_values(bv, {3, 9, 15, 21});  // NumPy

  // NumPy: a = arange(12).reshape(2,1,2,3)*0.5-1, b = arange(12).reshape(2,3,2)*0.25-1, a @ b
  Tensor a = arange(12, kFloat64).reshape({2, 1, 2, 3}) * 0.5 - 1.0;
  Tensor b = arange(12, kFloat64).reshape({2, 3, 2}) * 0.25 - 1.0;
  Tensor ab = matmul(a, b);
  REQUIRE(ab.shape() == Shape{2, 2, 2, 2});
  check_values(ab, {1.25, 0.875, -1., -0.25, -1., -1.375, 3.5, 4.25, -3.25, -1.375, -5.5, -2.5, 8., 9.875, 12.5, 15.5});

  // (2,1,3,4) @ (5,4,6) -> (2,5,3,6), against a plain loop over expanded copies
  Tensor x = uniform_values({2, 1, 3, 4}, -1, 1, 3), y = uniform_values({5, 4, 6}, -1, 1, 4);
  Tensor xy = matmul(x, y);
  REQUIRE(xy.shape() == Shape{2, 5, 3, 6});
  check_values(xy, naive_matmul(x.expand({2, 5, 3, 4}), y.expand({2, 5, 4, 6})), 1e-12);

  // N-D . 2-D folds the batch into rows; 2-D . N-D broadcasts
  Tensor z = uniform_values({3, 2, 5}, -1, 1, 5), w = uniform_values({5, 4}, -1, 1, 6);
  REQUIRE(matmul(z, w).shape() == Shape{3, 2, 4});
  check_values(matmul(z, w), naive_matmul(z, w.expand({3, 5, 4})), 1e-12);
  REQUIRE(matmul(w.t(), z.mT()).shape() == Shape{3, 4, 2});
  check_values(matmul(w.t(), z.mT()), naive_matmul(w.t().expand({3, 4, 5}), z.mT()), 1e-12);

  // mm, bmm, outer, trace
  check_values(mm(A23, B32), {58, 64, 139, 154});
  Tensor p = uniform_values({3, 2, 4}, -1, 1, 7), q = uniform_values({3, 4, 5}, -1, 1, 8);
  check_values(bmm(p, q), naive_matmul(p, q), 1e-12);
  Tensor o = outer(dvec({1, 2}, {2}), v3);
  REQUIRE(o.shape() == Shape{2, 3});
  check_values(o, {1, 2, 3, 2, 4, 6});
  check_values(trace(arange(9, kFloat64).reshape({3, 3})), {12});
}

TEST_CASE("matmul on transposed, sliced and broadcast operands", "[linalg]") {
  Tensor a = uniform_values({6, 5}, -1, 1, 11), b = uniform_values({4, 6}, -1, 1, 12);
  // a^T (strides (1,5)) and b^T (strides (1,6)) go to gemm with CblasTrans
  check_values(matmul(a.t(), b.t()), naive_matmul(a.t(), b.t()), 1e-12);
  check_values(matmul(b, a), naive_matmul(b, a), 1e-12);
  check_values(matmul(a.t(), a), naive_matmul(a.t(), a), 1e-12);
  // a slice with a step in the last dim has no BLAS layout: copied first
  Tensor s = a.slice(1, 0, std::nullopt, 2);  // (6,3), strides (5,2)
  check_values(matmul(b, s), naive_matmul(b, s), 1e-12);
  // a stride-0 batch dim is read in place (small matrices: the looped path)
  Tensor e = uniform_values({1, 3, 4}, -1, 1, 13).expand({7, 3, 4}), f = uniform_values({7, 4, 2}, -1, 1, 14);
  check_values(matmul(e, f), naive_matmul(e, f), 1e-12);
  check_values(matmul(f.mT(), e.mT()), naive_matmul(f.mT(), e.mT()), 1e-12);
  // many small matrices: the looped path, one matrix per thread
  Tensor sm = uniform_values({600, 4, 5}, -1, 1, 17), sn = uniform_values({600, 3, 5}, -1, 1, 18);
  check_values(matmul(sm, sn.mT()), naive_matmul(sm, sn.mT()), 1e-12);
  // batched, matrices big enough for one gemm each, second operand transposed
  Tensor g = uniform_values({3, 20, 24}, -1, 1, 15), h = uniform_values({3, 18, 24}, -1, 1, 16);
  check_values(matmul(g, h.mT()), naive_matmul(g, h.mT()), 1e-12);
  // float32 and int64
  check_values(matmul(a.to(kFloat32).t(), b.to(kFloat32).t()), naive_matmul(a.t(), b.t()), 1e-5);
  Tensor i = arange(6).reshape({2, 3}), j = arange(6).reshape({3, 2});
  Tensor ij = matmul(i, j);
  REQUIRE(ij.dtype() == kInt64);
  check_values(ij, {10, 13, 28, 40});
  // empty inner dim: zeros
  check_values(matmul(zeros({2, 0}, kFloat64), zeros({0, 3}, kFloat64)), std::vector<double>(6, 0.0));
}

TEST_CASE("matmul reports mismatched shapes, dtypes and ranks", "[linalg]") {
  Tensor a = zeros({3, 4}), b = zeros({5, 6});
  REQUIRE_THROWS_WITH(matmul(a, b), "matmul: shapes (3,4) and (5,6) cannot be multiplied (4 != 5)");
  REQUIRE_THROWS_WITH(matmul(zeros({3}), zeros({4})), "matmul: shapes (3) and (4) cannot be multiplied (3 != 4)");
  REQUIRE_THROWS_WITH(matmul(zeros({2, 3}), zeros({3, 2}, kFloat64)),
                      Catch::Contains("matmul: expected both tensors to have the same dtype, got float32 and float64"));
  REQUIRE_THROWS_WITH(matmul(zeros({2, 2, 3}), zeros({3, 3, 2})), Catch::Contains("cannot be broadcast"));
  REQUIRE_THROWS_AS(matmul(zeros({}), zeros({3})), Error);
  REQUIRE_THROWS_WITH(mm(zeros({2, 3, 4}), zeros({4, 2})), Catch::Contains("mm: expected 2-D tensors"));
  REQUIRE_THROWS_WITH(bmm(zeros({2, 3, 4}), zeros({3, 4, 2})), Catch::Contains("bmm: expected 3-D tensors"));
}

TEST_CASE("matmul gradients in every shape case", "[linalg]") {
  auto mat = [](const In& in) { return matmul(in[0], in[1]); };
  REQUIRE_GRADCHECK(mat, (In{leaf({4}, -1, 1, 1), leaf({4}, -1, 1, 2)}));                   // 1-D . 1-D
  REQUIRE_GRADCHECK(mat, (In{leaf({3, 4}, -1, 1, 3), leaf({4, 2}, -1, 1, 4)}));             // 2-D . 2-D
  REQUIRE_GRADCHECK(mat, (In{leaf({4}, -1, 1, 5), leaf({4, 2}, -1, 1, 6)}));                // 1-D . 2-D
  REQUIRE_GRADCHECK(mat, (In{leaf({3, 4}, -1, 1, 7), leaf({4}, -1, 1, 8)}));                // 2-D . 1-D
  REQUIRE_GRADCHECK(mat, (In{leaf({3}, -1, 1, 9), leaf({2, 3, 2}, -1, 1, 10)}));            // 1-D . 3-D
  REQUIRE_GRADCHECK(mat, (In{leaf({2, 2, 3}, -1, 1, 11), leaf({3}, -1, 1, 12)}));           // 3-D . 1-D
  REQUIRE_GRADCHECK(mat, (In{leaf({2, 3, 4}, -1, 1, 13), leaf({4, 2}, -1, 1, 14)}));        // folded N-D . 2-D
  REQUIRE_GRADCHECK(mat, (In{leaf({3, 4}, -1, 1, 15), leaf({2, 4, 2}, -1, 1, 16)}));        // 2-D . N-D
  REQUIRE_GRADCHECK(mat, (In{leaf({2, 1, 2, 3}, -1, 1, 17), leaf({3, 3, 2}, -1, 1, 18)}));  // broadcast batch
  // non-contiguous operands built inside the checked function
  REQUIRE_GRADCHECK([](const In& in) { return matmul(in[0].t(), in[1].t()); },
                    (In{leaf({4, 3}, -1, 1, 19), leaf({2, 4}, -1, 1, 20)}));
  REQUIRE_GRADCHECK([](const In& in) { return matmul(in[0].slice(-1, 0, std::nullopt, 2), in[1].mT()); },
                    (In{leaf({2, 3, 7}, -1, 1, 21), leaf({2, 5, 4}, -1, 1, 22)}));
  REQUIRE_GRADCHECK(
      [](const In& in) {
        return matmul(in[0].expand({3, 2, 4}), in[1].transpose(0, 2));
      },
      (In{leaf({2, 4}, -1, 1, 23), leaf({5, 4, 3}, -1, 1, 24)}));
  // mm, bmm, outer, trace
  REQUIRE_GRADCHECK([](const In& in) { return mm(in[0], in[1].t()); },
                    (In{leaf({3, 4}, -1, 1, 25), leaf({2, 4}, -1, 1, 26)}));
  REQUIRE_GRADCHECK([](const In& in) { return bmm(in[0], in[1]); },
                    (In{leaf({2, 3, 4}, -1, 1, 27), leaf({2, 4, 2}, -1, 1, 28)}));
  REQUIRE_GRADCHECK([](const In& in) { return outer(in[0], in[1]); }, (In{leaf({3}, -1, 1, 29), leaf({4}, -1, 1, 30)}));
  REQUIRE_GRADCHECK([](const In& in) { return trace(in[0]); }, (In{leaf({3, 3}, -1, 1, 31)}));
}

TEST_CASE("matmul second derivatives", "[linalg]") {
  auto f = [](const In& in) { return matmul(in[0], in[1]).tanh(); };
  REQUIRE_GRADGRADCHECK(f, (In{leaf({3, 4}, -1, 1, 1), leaf({4, 2}, -1, 1, 2)}));
  REQUIRE_GRADGRADCHECK(f, (In{leaf({2, 1, 2, 3}, -1, 1, 3), leaf({2, 3, 2}, -1, 1, 4)}));
  REQUIRE_GRADGRADCHECK(f, (In{leaf({3}, -1, 1, 5), leaf({3}, -1, 1, 6)}));
  REQUIRE_GRADGRADCHECK([](const In& in) { return matmul(in[0].t(), in[0]); }, (In{leaf({3, 2}, -1, 1, 7)}));
  REQUIRE_GRADGRADCHECK([](const In& in) { return bmm(in[0], in[1]).square(); },
                        (In{leaf({2, 2, 3}, -1, 1, 8), leaf({2, 3, 2}, -1, 1, 9)}));
}

TEST_CASE("cholesky, solve_triangular, solve and inv match NumPy", "[linalg]") {
  Tensor A = dvec(kA, {3, 3}), B = dvec(kB, {3, 2});
  Tensor L = linalg::cholesky(A);
  // NumPy: np.linalg.cholesky(A)
  const std::vector<double> kL = {
      2.8722813232690143, 0, 0, -0.4351941398892446, 2.374996012755824, 0, 0.7833494518006403, 0.13090931068483264,
      2.054075555752431};
  check_values(L, kL, 1e-12);
  check_values(linalg::cholesky(A, /*upper=*/true), linalg::cholesky(A).t().contiguous().to_vector<double>(), 0);
  check_values(linalg::cholesky(A.to(kFloat32)), kL, 1e-5);
  // batched: (A, 2A) -> (L, sqrt(2) L)
  Tensor L2 = linalg::cholesky(A.unsqueeze(0) * dvec({1, 2}, {2, 1, 1}));
  REQUIRE(L2.shape() == Shape{2, 3, 3});
  std::vector<double> both = kL;
  for (double v : kL) both.push_back(v * std::sqrt(2.0));
  check_values(L2, both, 1e-12);

  // NumPy: np.linalg.solve(L, B), np.linalg.solve(L.T, B), B.T @ inv(L), with unit diagonal
  check_values(linalg::solve_triangular(L, B, /*upper=*/false),
               {0.3481553119113957, 0.6963106238227914, -0.3572573780872626, 0.3381185899754449, 1.3505058451265386,
                -1.2607702816702457},
               1e-12);
  const std::vector<double> kLtB = {-0.12615927393786075, 1.0018876876601748, -0.501556417538528,
                                    0.26419538861568725,  1.4605110272592023, -0.9736740181728016};
  check_values(linalg::solve_triangular(L.t(), B, /*upper=*/true), kLtB, 1e-12);
  check_values(linalg::solve_triangular(L.t().contiguous(), B, /*upper=*/true), kLtB, 1e-12);
  check_values(std::get<0>(triangular_solve(B, L, /*upper=*/false, /*transpose=*/true)), kLtB, 1e-12);
  check_values(linalg::solve_triangular(L, B.t(), /*upper=*/false, /*left=*/false),
               {-0.12615927393786075, -0.501556417538528, 1.4605110272592023, 1.0018876876601748, 0.26419538861568725,
                -0.9736740181728016},
               1e-12);
  check_values(linalg::solve_triangular(L, B, /*upper=*/false, /*left=*/true, /*unitriangular=*/true),
               {1, 2, -0.5648058601107554, 1.3703882797784892, 2.2905888940172128, -3.746095488677656}, 1e-12);
  // batch dims of A and B broadcast
  REQUIRE(linalg::solve_triangular(L, B.expand({4, 3, 2}), false).shape() == Shape{4, 3, 2});

  Tensor N = dvec(kN, {3, 3});
  // NumPy: np.linalg.inv(N), np.linalg.solve(N, B)
  check_values(linalg::inv(N),
               {-0.19047619047619047, 0.2857142857142857, 0.23809523809523808, 0.47619047619047616, 0.2857142857142857,
                -0.09523809523809523, 0.04761904761904762, -0.5714285714285714, 0.19047619047619047},
               1e-12);
  check_values(linalg::inv(N.t()), linalg::inv(N).t().contiguous().to_vector<double>(), 1e-12);
  check_values(linalg::solve(N, B),
               {0.2380952380952382, -0.7142857142857142, -0.09523809523809512, 1.2857142857142856, 1.1904761904761902,
                -0.5714285714285714},
               1e-12);
  check_values(linalg::solve(N, B.select(1, 0)), {0.2380952380952382, -0.09523809523809512, 1.1904761904761902}, 1e-12);
}

TEST_CASE("slogdet, det and eigh match NumPy", "[linalg]") {
  Tensor N = dvec(kN, {3, 3});
  auto [sign, logabs] = linalg::slogdet(N);  // NumPy: det N = -10.5
  REQUIRE(sign.dim() == 0);
  check_values(sign, {-1});
  check_values(logabs, {2.3513752571634776}, 1e-12);
  check_values(linalg::det(N), {-10.5}, 1e-12);
  auto [sa, la] = linalg::slogdet(dvec(kA, {3, 3}));
  check_values(sa, {1});
  check_values(la, {5.279856508676519}, 1e-12);
  auto [s0, l0] = linalg::slogdet(dvec({1, 2, 2, 4}, {2, 2}));  // singular
  check_values(s0, {0});
  REQUIRE(l0.item() == -std::numeric_limits<double>::infinity());
  auto [sb, lb] = linalg::slogdet(N.to(kFloat32).unsqueeze(0).expand({2, 3, 3}));
  check_values(sb, {-1, -1});
  check_values(lb, {2.3513752571634776, 2.3513752571634776}, 1e-5);

  // NumPy: np.linalg.eigh(A); eigenvectors compared up to sign
  auto [w, V] = linalg::eigh(dvec(kA, {3, 3}));
  check_values(w, {3.5906551394917914, 5.63434133993472, 9.705003520573488}, 1e-12);
  check_values(abs(V),
               {0.4749865588914333, 0.13621728339859193, 0.8693863471299642, 0.2538490956920918, 0.9247394937195099,
                0.2835798042380513, 0.842584361051629, 0.35538953341213086, 0.4046601957844703},
               1e-12);
  // only the lower triangle is read
  Tensor junk = dvec(kA, {3, 3}) + dvec({0, 5, -7, 0, 0, 3, 0, 0, 0}, {3, 3});
  check_values(linalg::eigvalsh(junk), {3.5906551394917914, 5.63434133993472, 9.705003520573488}, 1e-12);
  check_values(linalg::eigvalsh(dvec({1, 2, 2, 1}, {2, 2}).to(kFloat32)), {-1, 3}, 1e-6);
}

TEST_CASE("linalg gradients", "[linalg]") {
  // cholesky through an SPD matrix built inside the function (the gradient is symmetric)
  REQUIRE_GRADCHECK([](const In& in) { return linalg::cholesky(spd(in[0])); }, (In{leaf({3, 3}, -1, 1, 1)}));
  REQUIRE_GRADCHECK([](const In& in) { return linalg::cholesky(spd(in[0]), true); }, (In{leaf({2, 3, 3}, -1, 1, 2)}));
  REQUIRE_GRADGRADCHECK([](const In& in) { return linalg::cholesky(spd(in[0])); }, (In{leaf({3, 3}, -1, 1, 3)}));
  // solve_triangular: only A's triangle is read, so the whole leaf is checked as it is
  auto tri = [](bool upper, bool left, bool unit) {
    return [=](const In& in) {
      return linalg::solve_triangular(in[0] + eye(3, kFloat64) * 3.0, in[1], upper, left, unit);
    };
  };
  In ab{leaf({3, 3}, -1, 1, 4), leaf({3, 2}, -1, 1, 5)};
  In ab_right{leaf({3, 3}, -1, 1, 6), leaf({2, 3}, -1, 1, 7)};
  REQUIRE_GRADCHECK(tri(false, true, false), ab);
  REQUIRE_GRADCHECK(tri(true, true, false), ab);
  REQUIRE_GRADCHECK(tri(true, true, true), ab);
  REQUIRE_GRADCHECK(tri(false, false, false), ab_right);
  REQUIRE_GRADGRADCHECK(tri(false, true, false), ab);
  REQUIRE_GRADCHECK(
      [](const In& in) { return linalg::solve_triangular(in[0].mT() + eye(3, kFloat64) * 3.0, in[1], true); },
      (In{leaf({2, 3, 3}, -1, 1, 8), leaf({3, 2}, -1, 1, 9)}));
  // solve, inv, slogdet, det on well-conditioned matrices
  auto shifted = [](const Tensor& x) { return x + eye(x.size(-1), kFloat64) * 3.0; };
  REQUIRE_GRADCHECK([=](const In& in) { return linalg::solve(shifted(in[0]), in[1]); },
                    (In{leaf({2, 3, 3}, -1, 1, 10), leaf({3, 2}, -1, 1, 11)}));
  REQUIRE_GRADCHECK([=](const In& in) { return linalg::inv(shifted(in[0])); }, (In{leaf({3, 3}, -1, 1, 12)}));
  REQUIRE_GRADGRADCHECK([=](const In& in) { return linalg::inv(shifted(in[0])); }, (In{leaf({3, 3}, -1, 1, 13)}));
  REQUIRE_GRADCHECK([](const In& in) { return std::get<1>(linalg::slogdet(in[0])); },
                    (In{uniform_values({3, 3}, -1, 1, 14).add(dvec(kN, {3, 3})).requires_grad_()}));
  REQUIRE_GRADCHECK([=](const In& in) { return std::get<1>(linalg::slogdet(shifted(in[0]))); },
                    (In{leaf({2, 3, 3}, -1, 1, 15)}));
  REQUIRE_GRADGRADCHECK([=](const In& in) { return std::get<1>(linalg::slogdet(shifted(in[0]))); },
                        (In{leaf({3, 3}, -1, 1, 16)}));
  REQUIRE_GRADCHECK([=](const In& in) { return linalg::det(shifted(in[0])); }, (In{leaf({3, 3}, -1, 1, 17)}));
  // eigh: a symmetric input with well separated eigenvalues; the eigenvector outputs used are sign invariant
  auto sym_in = [](const Tensor& x) { return (x + x.mT()) * 0.5 + dvec({0, 0, 0, 0, 2, 0, 0, 0, 4}, {3, 3}); };
  REQUIRE_GRADCHECK([=](const In& in) { return linalg::eigvalsh(sym_in(in[0])); }, (In{leaf({3, 3}, -1, 1, 18)}));
  REQUIRE_GRADCHECK([=](const In& in) { return std::get<1>(linalg::eigh(sym_in(in[0]))).square(); },
                    (In{leaf({3, 3}, -1, 1, 19)}));
  MultiFunction both = [=](const In& in) {
    auto [w, V] = linalg::eigh(sym_in(in[0]));
    return In{w.exp(), (V * V.select(-2, 0).unsqueeze(-2)).sum({-2})};
  };
  REQUIRE_GRADCHECK(both, (In{leaf({2, 3, 3}, -1, 1, 20)}));
  REQUIRE_GRADGRADCHECK([=](const In& in) { return linalg::eigvalsh(sym_in(in[0])); }, (In{leaf({3, 3}, -1, 1, 21)}));
}

TEST_CASE("linalg reports non-square, indefinite and singular inputs", "[linalg]") {
  REQUIRE_THROWS_WITH(linalg::cholesky(zeros({3, 4}, kFloat64)),
                      "cholesky: expected a square matrix or a batch of square matrices, got shape (3,4)");
  REQUIRE_THROWS_WITH(linalg::cholesky(dvec({1, 2, 2, 1}, {2, 2})),
                      "cholesky: the input is not positive-definite (the leading minor of order 2 is not "
                      "positive-definite)");
  REQUIRE_THROWS_WITH(linalg::cholesky(dvec({1, 0, 0, 1, 4, 0, 0, -1}, {2, 2, 2})),
                      Catch::Contains("leading minor of order 2") && Catch::Contains("batch element 1"));
  REQUIRE_THROWS_WITH(linalg::inv(dvec({1, 2, 2, 4}, {2, 2})), Catch::Contains("inv: the input matrix is singular"));
  REQUIRE_THROWS_WITH(linalg::solve(dvec({1, 2, 2, 4}, {2, 2}), ones({2, 1}, kFloat64)),
                      Catch::Contains("solve: the input matrix is singular"));
  REQUIRE_THROWS_WITH(linalg::solve_triangular(dvec({1, 0, 2, 0}, {2, 2}), ones({2, 1}, kFloat64), false),
                      Catch::Contains("singular"));
  REQUIRE_THROWS_WITH(linalg::eigh(zeros({2, 3}, kFloat64)), Catch::Contains("eigh: expected a square matrix"));
  REQUIRE_THROWS_WITH(linalg::slogdet(zeros({3, 3}, kInt64)), Catch::Contains("expected a float32 or float64"));
}
