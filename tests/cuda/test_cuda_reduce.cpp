// Reductions, scans and what is built on them (softmax, normalization, losses)
// on CUDA against the CPU: outputs, gradients and, where the CPU tests check
// them, second derivatives.
//
// Tolerances. Sums and products of float32 accumulate in float64 on both
// devices (only the order of the additions differs), so a float32 sum comes
// out the same to about one rounding (1 ulp = 1.2e-7 relative). The
// composites (mean, var, logsumexp, softmax, norms, losses) then apply a few
// float32 elementwise ops, and CUDA's expf/logf may differ from glibc's by an
// ulp or two: float32 comparisons allow 1e-5 (kF32). float64 results differ
// only by the summation order: 1e-12 (kF64). max/min/argmax and integer
// results are exact.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "cuda/cuda.h"
#include "parity.h"
#include "tensor/kernels/reduce.h"

using namespace dgm;
using dgm::test::check_close;
using dgm::test::check_cuda_matches_cpu;
using dgm::test::Tol;
using dgm::test::uniform_values;
using V = std::vector<Tensor>;

namespace {

const Tol kF32{1e-5, 1e-5};
const Tol kF64{1e-12, 1e-12};
const Tol kExact{0, 0};
const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

Tol tol_for(DType t) { return t == kFloat32 ? kF32 : kF64; }

std::string dims_str(const std::vector<int64_t>& dims) {
  std::string s = "{";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "}";
}

// The (7,13,5) input seen three ways: as is, transposed (dims reversed in
// memory) and sliced with a step (no dim contiguous with the next).
struct Layout {
  const char* name;
  std::function<Tensor(const Tensor&)> f;
};
const std::vector<Layout>& layouts() {
  static const std::vector<Layout> l = {
      {"contiguous", [](const Tensor& x) { return x; }},
      {"transposed", [](const Tensor& x) { return x.transpose(0, 2); }},
      {"sliced", [](const Tensor& x) { return x.slice(1, 1, 13, 3); }},
  };
  return l;
}

// Every subset of the dims of a 3-dim tensor ({} is all of them), and a negative one.
const std::vector<std::vector<int64_t>> kDimSets = {{}, {0}, {1}, {2}, {0, 1}, {0, 2}, {1, 2}, {0, 1, 2}, {-1}};

// x with NaN written at the given flat (row-major) positions.
Tensor with_nans(const Tensor& x, const std::vector<int64_t>& at) {
  std::vector<double> v = x.to_vector<double>();
  for (int64_t i : at) v[i] = kNaN;
  return tensor(v, {static_cast<int64_t>(v.size())}).reshape(x.shape()).to(x.dtype());
}

// values and indices of f on both devices, compared exactly
void check_max_min_dim(const std::string& what, const Tensor& x,
                       const std::function<std::tuple<Tensor, Tensor>(const Tensor&)>& f) {
  auto [v_cpu, i_cpu] = f(x);
  auto [v_gpu, i_gpu] = f(x.cuda());
  REQUIRE(v_gpu.is_cuda());
  REQUIRE(i_gpu.is_cuda());
  check_close(what + ": values", v_gpu.cpu(), v_cpu, kExact);
  check_close(what + ": indices", i_gpu.cpu(), i_cpu, kExact);
}

void check_same(const std::string& what, const Tensor& x, const std::function<Tensor(const Tensor&)>& f,
                Tol tol = kExact) {
  Tensor cpu = f(x);
  Tensor gpu = f(x.cuda());
  REQUIRE(gpu.is_cuda());
  check_close(what, gpu.cpu(), cpu, tol);
}

}  // namespace

TEST_CASE("sum, mean, var, std, logsumexp, norm, amax, amin over every set of dims match the CPU", "[cuda][reduce]") {
  struct Op {
    const char* name;
    std::function<Tensor(const Tensor&, const std::vector<int64_t>&, bool)> f;
  };
  const std::vector<Op> ops = {
      {"sum", [](const Tensor& x, auto& d, bool k) { return x.sum(d, k); }},
      {"mean", [](const Tensor& x, auto& d, bool k) { return x.mean(d, k); }},
      {"var", [](const Tensor& x, auto& d, bool k) { return x.var(d, true, k); }},
      {"var (biased)", [](const Tensor& x, auto& d, bool k) { return x.var(d, false, k); }},
      {"std", [](const Tensor& x, auto& d, bool k) { return x.std(d, true, k); }},
      {"logsumexp", [](const Tensor& x, auto& d, bool k) { return x.logsumexp(d, k); }},
      {"norm 2", [](const Tensor& x, auto& d, bool k) { return x.norm(2, d, k); }},
      {"norm 1", [](const Tensor& x, auto& d, bool k) { return x.norm(1, d, k); }},
      {"norm 3", [](const Tensor& x, auto& d, bool k) { return x.norm(3, d, k); }},
      {"norm inf", [](const Tensor& x, auto& d, bool k) { return x.norm(kInf, d, k); }},
      {"amax", [](const Tensor& x, auto& d, bool k) { return x.amax(d, k); }},
      {"amin", [](const Tensor& x, auto& d, bool k) { return x.amin(d, k); }},
  };
  for (DType t : {kFloat32, kFloat64}) {
    const Tensor x = uniform_values({7, 13, 5}, -2, 2).to(t);
    for (const Layout& layout : layouts())
      for (const Op& op : ops)
        for (const auto& dims : kDimSets)
          for (bool keepdim : {false, true}) {
            const std::string name = std::string(op.name) + " " + dims_str(dims) + (keepdim ? " keepdim " : " ") +
                                     layout.name + " " + dtype_name(t);
            check_cuda_matches_cpu(
                name, [&](const V& in) { return op.f(layout.f(in[0]), dims, keepdim); }, {x}, tol_for(t));
          }
  }
}

TEST_CASE("reduction second derivatives match the CPU", "[cuda][reduce]") {
  // the functions of the CPU's gradgradcheck tests (tests/test_reduction.cpp)
  const std::vector<std::pair<const char*, std::function<Tensor(const V&)>>> fs = {
      {"sum(x*x, 1)", [](const V& in) { return (in[0] * in[0]).sum({1}); }},
      {"mean(x*x)^T keepdim", [](const V& in) { return (in[0] * in[0]).t().mean({0}, true); }},
      {"norm", [](const V& in) { return in[0].norm(); }},
      {"norm 3", [](const V& in) { return in[0].norm(3, {1}); }},
      {"var", [](const V& in) { return in[0].var({0}); }},
      {"logsumexp", [](const V& in) { return in[0].logsumexp({1}); }},
      {"prod", [](const V& in) { return in[0].prod(0); }},
      {"cumprod", [](const V& in) { return in[0].cumprod(1); }},
      {"cumsum * x", [](const V& in) { return in[0].cumsum(0) * in[0]; }},
      {"amax * amin", [](const V& in) { return in[0].amax({1}) * in[0].amin({1}); }},
      {"std of a transposed view", [](const V& in) { return in[0].t().std({1}); }},
  };
  for (DType t : {kFloat32, kFloat64})
    for (const auto& [name, f] : fs)
      check_cuda_matches_cpu(std::string(name) + " " + dtype_name(t), f, {uniform_values({6, 9}, 0.5, 1.5, 3).to(t)},
                             tol_for(t), /*second_order=*/true);
}

TEST_CASE("prod over one dim or all, with zeros, matches the CPU", "[cuda][reduce]") {
  for (DType t : {kFloat32, kFloat64}) {
    Tensor x = uniform_values({7, 13, 5}, 0.5, 1.5, 4);
    // zeros in some slices (one zero and two zeros: the three gradient cases)
    Tensor z = where(uniform_values({7, 13, 5}, 0, 1, 5) < 0.04, 0.0, x).to(t);
    for (const Tensor& in : {x.to(t), z}) {
      for (const Layout& layout : layouts()) {
        check_cuda_matches_cpu(
            std::string("prod() ") + layout.name, [&](const V& v) { return layout.f(v[0]).prod(); }, {in}, tol_for(t));
        for (int64_t d : {0, 1, 2, -1})
          for (bool keepdim : {false, true})
            check_cuda_matches_cpu(
                "prod(" + std::to_string(d) + ") " + layout.name,
                [&](const V& v) { return layout.f(v[0]).prod(d, keepdim); }, {in}, tol_for(t));
      }
    }
  }
}

TEST_CASE("max/min along a dim and argmax/argmin match the CPU, first index on ties", "[cuda][reduce]") {
  // values in {-3, ..., 2}: many ties in every slice
  const Tensor ties = (uniform_values({7, 13, 5}, -3, 3, 6)).floor();
  for (DType t : {kFloat32, kFloat64, kInt64}) {
    const Tensor x0 = ties.to(t);
    for (const Layout& layout : layouts()) {
      const Tensor x = layout.f(x0);
      const std::string sfx = std::string(" ") + layout.name + " " + dtype_name(t);
      for (int64_t d : {0, 1, 2, -1})
        for (bool keepdim : {false, true}) {
          const std::string at = "(" + std::to_string(d) + (keepdim ? ", keepdim)" : ")") + sfx;
          check_max_min_dim("max" + at, x, [&](const Tensor& v) { return v.max(d, keepdim); });
          check_max_min_dim("min" + at, x, [&](const Tensor& v) { return v.min(d, keepdim); });
          check_same("argmax" + at, x, [&](const Tensor& v) { return v.argmax(d, keepdim); });
          check_same("argmin" + at, x, [&](const Tensor& v) { return v.argmin(d, keepdim); });
        }
      check_same("argmax()" + sfx, x, [](const Tensor& v) { return v.argmax(); });
      check_same("argmin() keepdim" + sfx, x, [](const Tensor& v) { return v.argmin(std::nullopt, true); });
      check_same("max()" + sfx, x, [](const Tensor& v) { return v.max(); });
      check_same("min()" + sfx, x, [](const Tensor& v) { return v.min(); });
      check_same("amax({0,2})" + sfx, x, [](const Tensor& v) { return v.amax({0, 2}); });
    }
  }
  // Gradients: max(dim) routes g to the selected index; amax/max() split g among ties.
  for (DType t : {kFloat32, kFloat64}) {
    const Tensor x = ties.to(t);
    for (int64_t d : {0, 1, 2}) {
      check_cuda_matches_cpu(
          "grad of max(dim)", [&](const V& in) { return std::get<0>(in[0].max(d)); }, {x}, tol_for(t), true);
      check_cuda_matches_cpu(
          "grad of min(dim, keepdim), transposed",
          [&](const V& in) { return std::get<0>(in[0].transpose(0, 2).min(d, true)); }, {x}, tol_for(t));
      check_cuda_matches_cpu(
          "grad of amax with ties", [&](const V& in) { return in[0].amax({d}); }, {x}, tol_for(t), true);
    }
    check_cuda_matches_cpu(
        "grad of max() with ties", [](const V& in) { return in[0].max(); }, {x}, tol_for(t));
    check_cuda_matches_cpu(
        "grad of min() with ties", [](const V& in) { return in[0].min(); }, {x}, tol_for(t));
  }
}

TEST_CASE("max/min/argmax/argmin propagate NaN as on the CPU", "[cuda][reduce][nan]") {
  for (DType t : {kFloat32, kFloat64}) {
    // (6, 300): row 0 has two NaNs (the first wins), row 3 one, column 7 two
    const Tensor x =
        with_nans(uniform_values({6, 300}, -1, 1, 7), {5, 250, 3 * 300 + 299, 1 * 300 + 7, 4 * 300 + 7}).to(t);
    for (const Layout& layout : {Layout{"as is", [](const Tensor& v) { return v; }},
                                 Layout{"transposed", [](const Tensor& v) { return v.t(); }}}) {
      const Tensor v = layout.f(x);
      const std::string sfx = std::string(" ") + layout.name + " " + dtype_name(t);
      for (int64_t d : {0, 1}) {
        const std::string at = "(" + std::to_string(d) + ")" + sfx;
        check_same("amax" + at, v, [&](const Tensor& a) { return a.amax({d}); });
        check_same("amin" + at, v, [&](const Tensor& a) { return a.amin({d}); });
        check_max_min_dim("max" + at, v, [&](const Tensor& a) { return a.max(d); });
        check_max_min_dim("min" + at, v, [&](const Tensor& a) { return a.min(d); });
        check_same("argmax" + at, v, [&](const Tensor& a) { return a.argmax(d); });
        check_same("argmin" + at, v, [&](const Tensor& a) { return a.argmin(d); });
      }
      check_same("max()" + sfx, v, [](const Tensor& a) { return a.max(); });
      check_same("min()" + sfx, v, [](const Tensor& a) { return a.min(); });
      check_same("argmax()" + sfx, v, [](const Tensor& a) { return a.argmax(); });
      check_same("argmin()" + sfx, v, [](const Tensor& a) { return a.argmin(); });
    }
    Tensor gx = x.cuda();
    REQUIRE(std::isnan(gx.max().item()));
    REQUIRE(gx.argmax().item<int64_t>() == 5);  // the first NaN
    REQUIRE(gx.argmin(1).cpu().to_vector<int64_t>()[0] == 5);
    // A NaN at the very start and at the very end of a long row (the split path).
    const Tensor big = with_nans(uniform_values({3, 200000}, -1, 1, 8), {0, 2 * 200000 - 1}).to(t);
    check_same("amax of long rows with NaN", big, [](const Tensor& a) { return a.amax({1}); });
    check_max_min_dim("max of long rows with NaN", big, [](const Tensor& a) { return a.max(1); });
    check_same("argmin() of long rows with NaN", big, [](const Tensor& a) { return a.argmin(); });
    check_same("max() of long rows with NaN", big, [](const Tensor& a) { return a.max(); });
    // logsumexp and softmax of a row with NaN are NaN on both
    check_same(
        "logsumexp with NaN", x, [](const Tensor& a) { return a.logsumexp({1}); }, tol_for(t));
    check_same(
        "softmax with NaN", x, [](const Tensor& a) { return softmax(a, 1); }, tol_for(t));
  }
}

TEST_CASE("reductions of awkward shapes: (1,1), (0,3), 0-dim, expanded", "[cuda][reduce]") {
  for (DType t : {kFloat32, kFloat64}) {
    const Tol tol = tol_for(t);
    const Tensor one = uniform_values({1, 1}, -1, 1, 9).to(t);
    const Tensor scalar = uniform_values({1}, -1, 1, 10).reshape({}).to(t);
    for (const Tensor& x : {one, scalar}) {
      const std::string s = " of shape " + shape_str(x.shape());
      check_cuda_matches_cpu(
          "sum" + s, [](const V& in) { return in[0].sum(); }, {x}, tol, true);
      check_cuda_matches_cpu(
          "mean" + s, [](const V& in) { return in[0].mean(); }, {x}, tol);
      check_cuda_matches_cpu(
          "prod" + s, [](const V& in) { return in[0].prod(); }, {x}, tol);
      check_cuda_matches_cpu(
          "amax" + s, [](const V& in) { return in[0].amax(); }, {x}, tol);
      check_cuda_matches_cpu(
          "max()" + s, [](const V& in) { return in[0].max(); }, {x}, tol);
      check_cuda_matches_cpu(
          "max(0)" + s, [](const V& in) { return std::get<0>(in[0].max(0)); }, {x}, tol);
      check_cuda_matches_cpu(
          "var (NaN: one element)" + s, [](const V& in) { return in[0].var(); }, {x}, tol);
      check_cuda_matches_cpu(
          "logsumexp" + s, [](const V& in) { return in[0].logsumexp({}); }, {x}, tol);
      check_cuda_matches_cpu(
          "norm" + s, [](const V& in) { return in[0].norm(); }, {x}, tol);
      check_cuda_matches_cpu(
          "cumsum" + s, [](const V& in) { return in[0].cumsum(0); }, {x}, tol);
      check_cuda_matches_cpu(
          "cumprod" + s, [](const V& in) { return in[0].cumprod(-1); }, {x}, tol);
      check_same("argmax" + s, x, [](const Tensor& a) { return a.argmax(); });
      check_same("argmin(0)" + s, x, [](const Tensor& a) { return a.argmin(0); });
    }
    // (0, 3): sums of nothing are 0, products 1, means NaN, logsumexp -inf; max over the empty dim is an error
    const Tensor empty3 = zeros({0, 3}, t);
    check_cuda_matches_cpu(
        "sum() of (0,3)", [](const V& in) { return in[0].sum(); }, {empty3}, tol);
    check_cuda_matches_cpu(
        "sum(0) of (0,3)", [](const V& in) { return in[0].sum({0}); }, {empty3}, tol);
    check_cuda_matches_cpu(
        "sum(1) of (0,3)", [](const V& in) { return in[0].sum({1}, true); }, {empty3}, tol);
    check_cuda_matches_cpu(
        "mean(0) of (0,3)", [](const V& in) { return in[0].mean({0}); }, {empty3}, tol);
    check_cuda_matches_cpu(
        "prod() of (0,3)", [](const V& in) { return in[0].prod(); }, {empty3}, tol);
    check_cuda_matches_cpu(
        "prod(0) of (0,3)", [](const V& in) { return in[0].prod(0); }, {empty3}, tol);
    check_cuda_matches_cpu(
        "amax(1) of (0,3)", [](const V& in) { return in[0].amax({1}); }, {empty3}, tol);
    check_cuda_matches_cpu(
        "max(1) of (0,3)", [](const V& in) { return std::get<0>(in[0].max(1)); }, {empty3}, tol);
    check_cuda_matches_cpu(
        "logsumexp(0) of (0,3)", [](const V& in) { return in[0].logsumexp({0}); }, {empty3}, tol);
    check_cuda_matches_cpu(
        "cumsum(0) of (0,3)", [](const V& in) { return in[0].cumsum(0); }, {empty3}, tol);
    check_cuda_matches_cpu(
        "cumprod(1) of (0,3)", [](const V& in) { return in[0].cumprod(1); }, {empty3}, tol);
    check_cuda_matches_cpu(
        "softmax(1) of (0,3)", [](const V& in) { return softmax(in[0], 1); }, {empty3}, tol);
    check_same("argmax(1) of (0,3)", empty3, [](const Tensor& a) { return a.argmax(1); });
    REQUIRE_THROWS_WITH(empty3.cuda().amax({0}), Catch::Contains("cannot reduce over dim 0"));
    REQUIRE_THROWS_WITH(empty3.cuda().argmax(0), Catch::Contains("cannot reduce over dim 0"));
    REQUIRE_THROWS_WITH(empty3.cuda().argmax(), Catch::Contains("empty tensor"));
    // expanded inputs (stride 0), as in the double backward of sum
    const Tensor row = uniform_values({1, 13}, -1, 1, 11).to(t);
    check_cuda_matches_cpu(
        "sum(0) of an expanded row",
        [](const V& in) {
          return in[0].expand({7, 13}).sum({0});
        },
        {row}, tol, true);
    check_cuda_matches_cpu(
        "amax(1) of an expanded row",
        [](const V& in) {
          return in[0].expand({7, 13}).amax({1}, true);
        },
        {row}, tol);
    check_cuda_matches_cpu(
        "logsumexp(1) of an expanded column",
        [](const V& in) {
          return in[0].t().expand({13, 9}).logsumexp({1});
        },
        {row}, tol, true);
  }
  // The kernel with no dims to reduce copies (as the CPU does).
  const Tensor x = uniform_values({4, 6}, -1, 1, 12).to(kFloat32);
  for (auto op : {kernels::Reduce::Sum, kernels::Reduce::Prod, kernels::Reduce::Max, kernels::Reduce::Min})
    check_same("kernels::reduce over no dims", x.t(),
               [&](const Tensor& a) { return kernels::reduce(op, a, {}, false); });
}

TEST_CASE("int64 reductions and scans are exact", "[cuda][reduce]") {
  const Tensor xi = (uniform_values({7, 13, 5}, -50, 50, 13)).floor().to(kInt64);
  const Tensor small = (uniform_values({7, 13, 5}, -2, 3, 14)).floor().to(kInt64);  // products stay small
  for (const Layout& layout : layouts()) {
    const Tensor x = layout.f(xi);
    const std::string sfx = std::string(" ") + layout.name;
    for (const auto& dims : kDimSets) {
      check_same("sum " + dims_str(dims) + sfx, x, [&](const Tensor& a) { return a.sum(dims); });
      check_same("amax " + dims_str(dims) + sfx, x, [&](const Tensor& a) { return a.amax(dims, true); });
      check_same("amin " + dims_str(dims) + sfx, x, [&](const Tensor& a) { return a.amin(dims); });
    }
    for (int64_t d : {0, 1, 2}) {
      check_same("prod(" + std::to_string(d) + ")" + sfx, layout.f(small), [&](const Tensor& a) { return a.prod(d); });
      check_same("cumsum(" + std::to_string(d) + ")" + sfx, x, [&](const Tensor& a) { return a.cumsum(d); });
      check_same("cumprod(" + std::to_string(d) + ")" + sfx, layout.f(small),
                 [&](const Tensor& a) { return a.cumprod(d); });
    }
  }
  // bool sums and cumsums count; large int64 sums do not lose digits
  const Tensor b = uniform_values({9, 40}, -1, 1, 15) > 0.0;
  check_same("sum of bool", b, [](const Tensor& a) { return a.sum({1}); });
  check_same("cumsum of bool", b, [](const Tensor& a) { return a.cumsum(1); });
  const Tensor big = (uniform_values({1 << 20}, 0, 1e9, 16)).floor().to(kInt64);
  check_same("sum of 2^20 int64 up to 1e9", big, [](const Tensor& a) { return a.sum(); });
  check_same("argmax of 2^20 int64", big, [](const Tensor& a) { return a.argmax(); });
}

TEST_CASE("all and any on CUDA", "[cuda][reduce]") {
  const Tensor x = uniform_values({5, 8}, -1, 1, 17);
  for (const Tensor& v : {x > 0.0, x > -2.0, x > 2.0, zeros({0, 3}, kBool), x, zeros({4}, kFloat32)}) {
    check_same("all of " + shape_str(v.shape()), v, [](const Tensor& a) { return a.all(); });
    check_same("any of " + shape_str(v.shape()), v, [](const Tensor& a) { return a.any(); });
  }
  REQUIRE(x.cuda().gt(-2.0).all().is_cuda());
  REQUIRE(zeros({0}, kBool).cuda().any().is_cuda());
}

TEST_CASE("large reductions (2^20 elements) match the CPU", "[cuda][reduce][large]") {
  // A float32 sum of n = 2^20 values in [-1, 1) is accumulated in float64 on
  // both devices in different orders; the float64 results differ by at most
  // n * 2^-53 * sum|x| ~ 6e-5 (in practice ~1e-8), far below the float32
  // rounding of a result of size ~sqrt(n) ~ 600 (ulp 6e-5). So the float32
  // sums agree to a rounding or two: atol 1e-4 for the cancellations, rtol
  // 2.5e-7 (2 ulps). Means divide both by the same n.
  const Tol sum_tol{1e-4, 2.5e-7};
  const int64_t n = int64_t{1} << 20;
  for (DType t : {kFloat32, kFloat64}) {
    const Tol tol = t == kFloat32 ? sum_tol : kF64;
    const Tensor flat = uniform_values({n}, -1, 1, 18).to(t);
    check_cuda_matches_cpu(
        "sum of 2^20", [](const V& in) { return in[0].sum(); }, {flat}, tol);
    check_cuda_matches_cpu(
        "mean of 2^20", [](const V& in) { return in[0].mean(); }, {flat}, tol);
    check_cuda_matches_cpu(
        "amax of 2^20", [](const V& in) { return in[0].amax(); }, {flat}, kExact);
    check_cuda_matches_cpu(
        "amin of 2^20", [](const V& in) { return in[0].amin(); }, {flat}, kExact);
    check_same("argmax of 2^20", flat, [](const Tensor& a) { return a.argmax(); });
    check_same("argmin of 2^20", flat, [](const Tensor& a) { return a.argmin(); });
    // a product of 2^20 numbers near 1 (float64 accumulation: agree to 2 ulps of float32)
    const Tensor near1 = uniform_values({n}, 0.999, 1.001, 19).to(t);
    check_same(
        "prod of 2^20", near1, [](const Tensor& a) { return a.prod(); }, t == kFloat32 ? Tol{0, 2.5e-7} : kF64);
    // every layout of a square: column sums (thread per output), row sums (block per output), transposed
    const Tensor sq = flat.reshape({1024, 1024});
    for (int64_t d : {0, 1}) {
      const std::string at = "(" + std::to_string(d) + ") of (1024,1024)";
      check_cuda_matches_cpu(
          "sum" + at, [&](const V& in) { return in[0].sum({d}); }, {sq}, tol);
      check_cuda_matches_cpu(
          "sum" + at + " transposed", [&](const V& in) { return in[0].t().sum({d}); }, {sq}, tol);
      check_cuda_matches_cpu(
          "amax" + at, [&](const V& in) { return in[0].amax({d}); }, {sq}, kExact);
      check_max_min_dim("max" + at, sq, [&](const Tensor& a) { return a.max(d); });
      check_max_min_dim("min" + at + " transposed", sq, [&](const Tensor& a) { return a.t().min(d); });
      check_same(
          "cumsum" + at, sq, [&](const Tensor& a) { return a.cumsum(d); }, sum_tol);
    }
    // few long rows (split over blocks), few wide columns (split over threads), many short rows
    for (const Shape& s : {Shape{16, 65536}, Shape{65536, 16}, Shape{4, 262144}, Shape{262144, 4}, Shape{2, 524288}}) {
      const Tensor m = flat.reshape(s);
      for (int64_t d : {0, 1}) {
        const std::string at = "(" + std::to_string(d) + ") of " + shape_str(s);
        check_cuda_matches_cpu(
            "sum" + at, [&](const V& in) { return in[0].sum({d}); }, {m}, tol);
        check_cuda_matches_cpu(
            "logsumexp" + at, [&](const V& in) { return in[0].logsumexp({d}); }, {m}, t == kFloat32 ? kF32 : kF64);
        check_same("argmax" + at, m, [&](const Tensor& a) { return a.argmax(d); });
      }
    }
    // the batch-norm pattern: (N, C, H, W) over {0, 2, 3}
    const Tensor nchw = flat.reshape({64, 16, 32, 32});
    check_cuda_matches_cpu(
        "mean {0,2,3} of (64,16,32,32)",
        [](const V& in) {
          return in[0].mean({0, 2, 3});
        },
        {nchw}, tol);
    check_cuda_matches_cpu(
        "var {0,2,3} of (64,16,32,32)",
        [](const V& in) {
          return in[0].var({0, 2, 3});
        },
        {nchw}, t == kFloat32 ? kF32 : kF64);
    check_cuda_matches_cpu(
        "sum {1,3} of (64,16,32,32)",
        [](const V& in) {
          return in[0].sum({1, 3});
        },
        {nchw}, tol);
  }
  // ties across the two passes: the same maximum at both ends of a long vector
  std::vector<double> v = uniform_values({n}, -1, 1, 20).to_vector<double>();
  v[3] = 5;
  v[n - 2] = 5;
  const Tensor tied = tensor(v, {n}).to(kFloat32);
  REQUIRE(tied.cuda().argmax().item<int64_t>() == 3);
  check_max_min_dim("max(0) with ties far apart", tied, [](const Tensor& a) { return a.max(0); });
  v[n - 1] = kNaN;
  v[n / 2] = kNaN;
  REQUIRE(tensor(v, {n}).cuda().argmax().item<int64_t>() == n / 2);
}

TEST_CASE("cumsum and cumprod (and reversed scans) match the CPU", "[cuda][scan]") {
  for (DType t : {kFloat32, kFloat64}) {
    const Tol tol = tol_for(t);
    const Tensor x = uniform_values({7, 13, 5}, 0.5, 1.5, 21).to(t);
    for (const Layout& layout : layouts())
      for (int64_t d : {0, 1, 2, -1}) {
        const std::string at = "(" + std::to_string(d) + ") " + layout.name + " " + dtype_name(t);
        check_cuda_matches_cpu(
            "cumsum" + at, [&](const V& in) { return layout.f(in[0]).cumsum(d); }, {x}, tol, true);
        check_cuda_matches_cpu(
            "cumprod" + at, [&](const V& in) { return layout.f(in[0]).cumprod(d); }, {x}, tol, true);
        const int64_t dd = d < 0 ? d + 3 : d;
        for (auto op : {kernels::Scan::Sum, kernels::Scan::Prod})
          for (bool reverse : {false, true})
            check_same(
                std::string(op == kernels::Scan::Sum ? "scan sum" : "scan prod") + (reverse ? " reversed" : "") + at,
                layout.f(x), [&](const Tensor& a) { return kernels::scan(op, a, dd, reverse); }, tol);
      }
    // cumprod through zeros: the gradient takes its zero-aware path
    const Tensor z = where(uniform_values({6, 9}, 0, 1, 22) < 0.15, 0.0, uniform_values({6, 9}, -2, 2, 23)).to(t);
    for (int64_t d : {0, 1})
      check_cuda_matches_cpu(
          "cumprod with zeros (" + std::to_string(d) + ")", [&](const V& in) { return in[0].cumprod(d); }, {z}, tol,
          true);
    // long lines: one warp per line (the last dim), one thread per line (dim 0)
    const Tensor wide = uniform_values({3, 5000}, -1, 1, 24).to(t);
    const Tol long_tol = t == kFloat32 ? Tol{1e-5, 1e-6} : kF64;  // float64 accumulation: a rounding or two
    for (int64_t d : {0, 1})
      for (bool reverse : {false, true}) {
        check_same(
            "scan sum of (3,5000) along " + std::to_string(d), wide,
            [&](const Tensor& a) { return kernels::scan(kernels::Scan::Sum, a, d, reverse); }, long_tol);
        check_same(
            "scan sum of (5000,3)^T along " + std::to_string(d), wide.t().contiguous().t(),
            [&](const Tensor& a) { return kernels::scan(kernels::Scan::Sum, a, d, reverse); }, long_tol);
      }
    check_cuda_matches_cpu(
        "cumsum of (3,5000)", [](const V& in) { return in[0].cumsum(1); }, {wide}, long_tol);
  }
  // int64 and the errors
  check_same("reversed int64 scan", (uniform_values({4, 40}, -9, 9, 25)).floor().to(kInt64),
             [](const Tensor& a) { return kernels::scan(kernels::Scan::Sum, a, 1, true); });
  REQUIRE_THROWS_WITH(kernels::scan(kernels::Scan::Sum, zeros({2, 3}).cuda(), 2, false),
                      Catch::Contains("cumsum") && Catch::Contains("out of range"));
  REQUIRE_THROWS_WITH(kernels::scan(kernels::Scan::Prod, zeros({2, 3}, kBool).cuda(), 0, false),
                      Catch::Contains("cumprod") && Catch::Contains("bool"));
}

TEST_CASE("softmax and log_softmax match the CPU", "[cuda][nn]") {
  for (DType t : {kFloat32, kFloat64}) {
    const Tol tol = tol_for(t);
    const Tensor x = uniform_values({7, 13, 5}, -3, 3, 26).to(t);
    for (const Layout& layout : layouts())
      for (int64_t d : {0, 1, 2, -1}) {
        const std::string at = "(" + std::to_string(d) + ") " + layout.name + " " + dtype_name(t);
        check_cuda_matches_cpu(
            "softmax" + at, [&](const V& in) { return softmax(layout.f(in[0]), d); }, {x}, tol);
        check_cuda_matches_cpu(
            "log_softmax" + at, [&](const V& in) { return log_softmax(layout.f(in[0]), d); }, {x}, tol);
      }
    // second order, as the CPU's gradgradcheck tests
    const Tensor b = uniform_values({4, 6}, -2, 2, 3).to(t);
    check_cuda_matches_cpu(
        "softmax 2nd order", [](const V& in) { return softmax(in[0], 1); }, {b}, tol, true);
    check_cuda_matches_cpu(
        "log_softmax of a slice 2nd order", [](const V& in) { return log_softmax(in[0].slice(1, 0, 6, 2), 1); }, {b},
        tol, true);
    // stable for huge logits, -inf entries get probability 0, typical MNIST shapes
    const Tensor big = tensor(std::vector<double>{1000, 1001, -1000, 0, -kInf, 3}, {2, 3}).to(t);
    check_cuda_matches_cpu(
        "softmax of huge and -inf logits", [](const V& in) { return softmax(in[0], 1); }, {big}, tol);
    check_cuda_matches_cpu(
        "log_softmax of huge logits", [](const V& in) { return log_softmax(in[0], 0); }, {big}, tol);
    for (const Shape& s : {Shape{128, 10}, Shape{128, 784}})
      check_cuda_matches_cpu(
          "log_softmax of " + shape_str(s), [](const V& in) { return log_softmax(in[0], 1); },
          {uniform_values(s, -5, 5, 27).to(t)}, tol);
  }
}

TEST_CASE("layer_norm, group_norm and batch_norm match the CPU", "[cuda][nn]") {
  for (DType t : {kFloat32, kFloat64}) {
    const Tol tol = tol_for(t);
    const Tensor x = uniform_values({3, 5, 4}, -1, 1, 28).to(t);
    const Tensor w = uniform_values({4}, 0.5, 1.5, 2).to(t), b = uniform_values({4}, -1, 1, 3).to(t);
    check_cuda_matches_cpu(
        "layer_norm", [](const V& in) { return layer_norm(in[0], {4}, in[1], in[2]); }, {x, w, b}, tol, true);
    check_cuda_matches_cpu(
        "layer_norm of a transposed view over 2 dims",
        [](const V& in) {
          return layer_norm(in[0].transpose(0, 1), {3, 4});
        },
        {x}, tol, true);
    const Tensor x4 = uniform_values({2, 4, 3}, -1, 1, 4).to(t);
    const Tensor cw = uniform_values({4}, 0.5, 1.5, 5).to(t), cb = uniform_values({4}, -1, 1, 6).to(t);
    check_cuda_matches_cpu(
        "group_norm", [](const V& in) { return group_norm(in[0], 2, in[1], in[2]); }, {x4, cw, cb}, tol, true);
    check_cuda_matches_cpu(
        "batch_norm (training)", [](const V& in) { return batch_norm(in[0], {}, {}, in[1], in[2], true); },
        {x4, cw, cb}, tol, true);
    check_cuda_matches_cpu(
        "batch_norm of a transposed view",
        [](const V& in) { return batch_norm(in[0].transpose(1, 2), {}, {}, {}, {}, true); },
        {uniform_values({2, 3, 4}, -1, 1, 8).to(t)}, tol, true);
    // an (N, C, H, W) batch as in a conv net
    const Tensor img = uniform_values({8, 6, 5, 7}, -2, 2, 29).to(t);
    check_cuda_matches_cpu(
        "batch_norm of (8,6,5,7)", [](const V& in) { return batch_norm(in[0], {}, {}, in[1], in[2], true); },
        {img, uniform_values({6}, 0.5, 1.5, 30).to(t), uniform_values({6}, -1, 1, 31).to(t)}, tol);
    check_cuda_matches_cpu(
        "group_norm of (8,6,5,7)", [](const V& in) { return group_norm(in[0], 3); }, {img}, tol);
    // running statistics are updated in place on the GPU as on the CPU, and eval mode uses them
    Tensor rm = uniform_values({6}, -0.5, 0.5, 32).to(t), rv = uniform_values({6}, 0.5, 2, 33).to(t);
    Tensor rm_g = rm.cuda(), rv_g = rv.cuda();
    Tensor y = batch_norm(img, rm, rv, {}, {}, true, 0.1);
    Tensor y_g = batch_norm(img.cuda(), rm_g, rv_g, {}, {}, true, 0.1);
    REQUIRE(rm_g.is_cuda());
    check_close("batch_norm output", y_g.cpu(), y, tol);
    check_close("running_mean", rm_g.cpu(), rm, tol);
    check_close("running_var", rv_g.cpu(), rv, tol);
    check_close("batch_norm eval", batch_norm(img.cuda(), rm_g, rv_g).cpu(), batch_norm(img, rm, rv), tol);
  }
}

TEST_CASE("losses match the CPU, with first and second derivatives", "[cuda][nn]") {
  for (DType t : {kFloat32, kFloat64}) {
    const Tol tol = tol_for(t);
    // cross_entropy over (N, K, d1, d2) with some ignored targets, every reduction, label smoothing
    const Tensor logits = uniform_values({3, 4, 2, 3}, -2, 2, 34).to(t);
    Tensor target = tensor(std::vector<int64_t>{0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1}, {3, 2, 3});
    {
      NoGradGuard ng;
      target.select(1, 1).select(1, 2).fill_(-100);
    }
    for (const char* reduction : {"mean", "sum", "none"})
      for (double smoothing : {0.0, 0.1}) {
        const std::string name = std::string("cross_entropy ") + reduction + " smoothing " + std::to_string(smoothing);
        check_cuda_matches_cpu(
            name, [&](const V& in) { return cross_entropy(in[0], in[1], reduction, -100, smoothing); },
            {logits, target}, tol);
        check_cuda_matches_cpu(
            "nll_loss " + std::string(reduction),
            [&](const V& in) { return nll_loss(log_softmax(in[0], 1), in[1], reduction); }, {logits, target}, tol);
      }
    const Tensor l2 = uniform_values({5, 3}, -1, 1, 35).to(t);
    const Tensor t2 = tensor(std::vector<int64_t>{0, 2, 1, 1, 0});
    check_cuda_matches_cpu(
        "cross_entropy 2nd order", [](const V& in) { return cross_entropy(in[0], in[1], "mean", -100, 0.3); }, {l2, t2},
        tol, true);
    check_cuda_matches_cpu(
        "nll_loss 2nd order", [](const V& in) { return nll_loss(in[0].t().t(), in[1], "sum"); }, {l2, t2}, tol, true);
    // MNIST-sized classification: (128, 10) logits
    const Tensor l128 = uniform_values({128, 10}, -4, 4, 36).to(t);
    const Tensor t128 = (uniform_values({128}, 0, 10, 37)).floor().to(kInt64);
    check_cuda_matches_cpu(
        "cross_entropy of (128,10)", [](const V& in) { return cross_entropy(in[0], in[1]); }, {l128, t128}, tol);
    // binary cross entropy (on probabilities and on logits), mse
    const Tensor pr = uniform_values({4, 3}, 0.05, 0.95, 4).to(t), tg = uniform_values({4, 3}, 0, 1, 5).to(t);
    check_cuda_matches_cpu(
        "binary_cross_entropy", [](const V& in) { return binary_cross_entropy(in[0], in[1]); }, {pr, tg}, tol);
    check_cuda_matches_cpu(
        "binary_cross_entropy 2nd order", [](const V& in) { return binary_cross_entropy(in[0], in[1], "sum"); },
        {pr, tg}, tol, true);
    const Tensor p01 = tensor(std::vector<double>{0.1, 0.9, 0.5, 0, 1, 0.3}).to(t);
    const Tensor t01 = tensor(std::vector<double>{0, 1, 1, 0, 0, 0.7}).to(t);
    check_cuda_matches_cpu(
        "binary_cross_entropy at 0 and 1 (log clamped at -100)",
        [](const V& in) { return binary_cross_entropy(in[0].detach(), in[1], "none"); }, {p01, t01}, tol);
    const Tensor lx = uniform_values({4, 3}, -4, 4, 6).to(t);
    check_cuda_matches_cpu(
        "binary_cross_entropy_with_logits 2nd order",
        [](const V& in) { return binary_cross_entropy_with_logits(in[0], in[1]); },
        {lx, uniform_values({4, 3}, 0, 1, 7).to(t)}, tol, true);
    const Tensor lg = tensor(std::vector<double>{-3, 0, 2, 50, -50, 0.7}).to(t);
    check_cuda_matches_cpu(
        "binary_cross_entropy_with_logits, large logits",
        [](const V& in) { return binary_cross_entropy_with_logits(in[0], in[1], "sum"); }, {lg, t01}, tol);
    check_cuda_matches_cpu(
        "mse_loss none 2nd order", [](const V& in) { return mse_loss(in[0], in[1].t(), "none"); },
        {uniform_values({3, 4}).to(t), uniform_values({4, 3}, -1, 1, 8).to(t)}, tol, true);
    check_cuda_matches_cpu(
        "mse_loss with broadcasting", [](const V& in) { return mse_loss(in[0], in[1]); },
        {uniform_values({128, 784}, 0, 1, 38).to(t), uniform_values({784}, 0, 1, 39).to(t)}, tol);
  }
}

TEST_CASE("reduction and loss errors on CUDA name the op, the shape and the devices", "[cuda][errors]") {
  const Tensor x = zeros({0, 3}).cuda();
  REQUIRE_THROWS_WITH(kernels::reduce(kernels::Reduce::Max, x, {0}, false),
                      Catch::Contains("max") && Catch::Contains("dim 0") && Catch::Contains("(0,3)"));
  REQUIRE_THROWS_WITH(kernels::reduce(kernels::Reduce::Min, x, {0, 1}, true), Catch::Contains("min"));
  REQUIRE_THROWS_WITH(kernels::reduce(kernels::Reduce::Sum, zeros({2}, kBool).cuda(), {0}, false),
                      Catch::Contains("bool"));
  REQUIRE_THROWS_WITH(kernels::arg_reduce(kernels::ArgReduce::Max, x, 0, false),
                      Catch::Contains("argmax") && Catch::Contains("(0,3)"));
  REQUIRE_THROWS_WITH(kernels::arg_reduce(kernels::ArgReduce::Min, zeros({2}, kBool).cuda(), 0, false),
                      Catch::Contains("argmin") && Catch::Contains("bool"));
  REQUIRE_THROWS_WITH(zeros({2, 3}).cuda().mean({5}), Catch::Contains("mean"));
  // a loss with its target left on the CPU
  const Tensor logits = zeros({4, 3}).cuda();
  REQUIRE_THROWS_WITH(cross_entropy(logits, tensor(std::vector<int64_t>{0, 1, 2, 1})),
                      Catch::Contains("cuda:0") && Catch::Contains("cpu"));
  REQUIRE_THROWS_WITH(mse_loss(logits, zeros({4, 3})), Catch::Contains("cuda:0") && Catch::Contains("cpu"));
  // out-of-range targets are found on the GPU too
  REQUIRE_THROWS_WITH(cross_entropy(logits, tensor(std::vector<int64_t>{0, 1, 3, 2}).cuda()),
                      Catch::Contains("target 3 is out of range for 3 classes"));
}

// Not run by default (hidden tag): throughput of the reductions the training
// loops and benchmarks use. Run with: dgm_cuda_tests "[perf]"
TEST_CASE("reduction throughput", "[.][perf][cuda][reduce]") {
  auto time_it = [](const char* what, const Tensor& x, double bytes, const std::function<Tensor(const Tensor&)>& f) {
    NoGradGuard ng;
    for (int i = 0; i < 3; ++i) f(x);  // warm up (and fill the allocator's cache)
    cuda::synchronize();
    const int reps = 50;
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < reps; ++i) f(x);
    cuda::synchronize();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / reps;
    std::printf("%-40s %9.1f us  %8.1f GB/s\n", what, s * 1e6, bytes / s / 1e9);
  };
  const Tensor big = uniform_values({int64_t{1} << 24}, -1, 1, 40).to(kFloat32).cuda();
  const double b = 4.0 * (int64_t{1} << 24);
  time_it("sum of 16M float32", big, b, [](const Tensor& a) { return a.sum(); });
  time_it("amax of 16M float32", big, b, [](const Tensor& a) { return a.amax(); });
  time_it("argmax of 16M float32", big, b, [](const Tensor& a) { return a.argmax(); });
  time_it("sum(1) of (4096,4096)", big.reshape({4096, 4096}), b, [](const Tensor& a) { return a.sum({1}); });
  time_it("sum(0) of (4096,4096)", big.reshape({4096, 4096}), b, [](const Tensor& a) { return a.sum({0}); });
  time_it("sum(0) of (4096,4096)^T", big.reshape({4096, 4096}), b, [](const Tensor& a) { return a.t().sum({0}); });
  time_it("mean {0,2,3} of (64,64,64,64)", big.reshape({64, 64, 64, 64}), b, [](const Tensor& a) {
    return a.mean({0, 2, 3});
  });
  time_it("cumsum(1) of (4096,4096)", big.reshape({4096, 4096}), 2 * b, [](const Tensor& a) { return a.cumsum(1); });
  time_it("cumsum(0) of (4096,4096)", big.reshape({4096, 4096}), 2 * b, [](const Tensor& a) { return a.cumsum(0); });
  const Tensor r784 = uniform_values({128, 784}, -1, 1, 41).to(kFloat32).cuda();
  const Tensor r10 = uniform_values({128, 10}, -1, 1, 42).to(kFloat32).cuda();
  time_it("sum(1) of (128,784)", r784, 4.0 * 128 * 784, [](const Tensor& a) { return a.sum({1}); });
  time_it("sum(0) of (128,784)", r784, 4.0 * 128 * 784, [](const Tensor& a) { return a.sum({0}); });
  time_it("sum(1) of (128,10)", r10, 4.0 * 128 * 10, [](const Tensor& a) { return a.sum({1}); });
  time_it("log_softmax(1) of (128,10)", r10, 4.0 * 128 * 10, [](const Tensor& a) { return log_softmax(a, 1); });
}
