// FID of models/eval/fid.h against the course's closed-form case, against SciPy (fid_reference.h, written by
// make_fid_reference.py with scipy.linalg.sqrtm on seeded random SPD matrices; ctest reruns it with --check),
// and the properties of its pieces: sqrt(S)^2 = S, FID(a, a) = 0, np.cov's 1/(N-1) statistics.
#include <catch2/catch.hpp>
#include <cmath>

#include "dgm.h"
#include "models/eval/fid.h"
#include "tests/models/eval/fid_reference.h"

using namespace dgm;
using namespace dgm::models::eval;

namespace {

Tensor mat(const std::vector<double>& v, int64_t d) { return tensor(v, {d, d}); }
Tensor vec(const std::vector<double>& v) { return tensor(v, {static_cast<int64_t>(v.size())}); }

}  // namespace

TEST_CASE("FID of the course's get_distance test: 243.7621", "[eval][fid]") {
  // COURSE.md §1.8: mu_x = 1_3, mu_y = 10 * 1_3, S_x = 5 I, S_y = 3 I. By hand: 3 * 81 + 3 * (8 - 2 sqrt(15)).
  Tensor mu_x = ones({3}, kFloat64), mu_y = full({3}, 10.0, kFloat64);
  Tensor s_x = eye(3, kFloat64) * 5.0, s_y = eye(3, kFloat64) * 3.0;
  const double fid = frechet_distance(mu_x, s_x, mu_y, s_y);
  CHECK(fid == Approx(243.0 + 3 * (8 - 2 * std::sqrt(15.0))).epsilon(1e-12));
  CHECK(std::abs(fid - 243.7621) < 5e-5);
}

TEST_CASE("FID of identical statistics is 0 and the square root squares back", "[eval][fid]") {
  for (size_t c = 0; c < 3; ++c) {
    const int64_t d = fid_reference::kDims[c];
    const std::vector<double>& s = c == 0 ? fid_reference::kS1_0 : c == 1 ? fid_reference::kS1_1 : fid_reference::kS1_2;
    const std::vector<double>& m = c == 0   ? fid_reference::kMu1_0
                                   : c == 1 ? fid_reference::kMu1_1
                                            : fid_reference::kMu1_2;
    Tensor S = mat(s, d);
    SqrtInfo info;
    Tensor root = sqrtm_psd(S, &info);
    CHECK(info.clamped == 0);  // these matrices are >= 0.1 I
    CHECK((matmul(root, root) - S).abs().max().item() < 1e-12);
    CHECK((root - root.t()).abs().max().item() < 1e-14);
    CHECK(std::abs(frechet_distance(vec(m), S, vec(m), S)) < 1e-10);
  }
}

TEST_CASE("FID agrees with SciPy's sqrtm on random SPD matrices", "[eval][fid]") {
  using namespace fid_reference;
  const std::vector<const std::vector<double>*> mu1 = {&kMu1_0, &kMu1_1, &kMu1_2}, mu2 = {&kMu2_0, &kMu2_1, &kMu2_2},
                                                s1 = {&kS1_0, &kS1_1, &kS1_2}, s2 = {&kS2_0, &kS2_1, &kS2_2};
  const std::vector<double> expected = {kFid_0, kFid_1, kFid_2};
  for (size_t c = 0; c < 3; ++c) {
    INFO("dimension " << kDims[c]);
    const double fid = frechet_distance(vec(*mu1[c]), mat(*s1[c], kDims[c]), vec(*mu2[c]), mat(*s2[c], kDims[c]));
    CHECK(fid == Approx(expected[c]).epsilon(1e-9));
  }
}

TEST_CASE("gaussian_stats is np.mean and np.cov(rowvar=False)", "[eval][fid]") {
  GaussianStats s = gaussian_stats(tensor(fid_reference::kFeatures, {40, 5}).to(kFloat32));
  CHECK(s.n == 40);
  // the features went through float32: 1e-6 relative
  const std::vector<double> mu = s.mu.to_vector<double>(), cov = s.sigma.to_vector<double>();
  for (size_t i = 0; i < mu.size(); ++i) CHECK(mu[i] == Approx(fid_reference::kFeatureMean[i]).margin(1e-5));
  for (size_t i = 0; i < cov.size(); ++i) CHECK(cov[i] == Approx(fid_reference::kFeatureCov[i]).margin(1e-5));
}

TEST_CASE("FID clamps round-off negative eigenvalues and refuses a matrix that is not PSD", "[eval][fid]") {
  // rank one: eigenvalues 0, 0, 3 (the zeros may come out as -1e-16)
  Tensor s = ones({3, 3}, kFloat64);
  Tensor root = sqrtm_psd(s);
  CHECK((matmul(root, root) - s).abs().max().item() < 1e-12);
  Tensor bad = eye(3, kFloat64);
  bad.select(0, 0).select(0, 0).fill_(-1.0);
  CHECK_THROWS_WITH(sqrtm_psd(bad), Catch::Contains("positive semi-definite"));
  CHECK_THROWS_WITH(frechet_distance(ones({3}, kFloat64), eye(3, kFloat64), ones({2}, kFloat64), eye(2, kFloat64)),
                    Catch::Contains("frechet_distance"));
  CHECK_THROWS_WITH(gaussian_stats(ones({1, 4})), Catch::Contains("N >= 2"));
}
