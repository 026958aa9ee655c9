// Improved precision and recall (models/eval/precision_recall.h) on point sets whose answer is known by hand.
#include <catch2/catch.hpp>

#include "dgm.h"
#include "models/eval/precision_recall.h"

using namespace dgm;
using namespace dgm::models::eval;

TEST_CASE("precision and recall of identical sets are 1 and of far disjoint sets 0", "[eval][pr]") {
  Generator gen(5);
  Tensor a = randn({200, 6}, kFloat32, &gen);
  // every point lies in its own ball (distance 0), whatever the chunking
  for (int64_t chunk : {7, 64, 1024}) {
    PrecisionRecall pr = precision_recall(a, a.clone(), 3, chunk);
    CHECK(pr.precision == 1.0);
    CHECK(pr.recall == 1.0);
  }
  // a copy moved 1000 away: no ball (radius a few units) reaches the other set
  PrecisionRecall far = precision_recall(a, a + 1000.0, 3, 50);
  CHECK(far.precision == 0.0);
  CHECK(far.recall == 0.0);
}

TEST_CASE("precision and recall of a hand-worked 1-D case", "[eval][pr]") {
  // k = 1. real {0, 1, 3}: radii (nearest other point) 1, 1, 2. fake {0.5, 2.5, 6}: radii 2, 2, 3.5.
  // precision: 0.5 is within 0.5 of 0 (radius 1): in; 2.5 within 0.5 of 3 (radius 2): in; 6 is 3 from 3
  // (radius 2) and farther from the rest: out -> 2/3.
  // recall: 0 and 1 are within 0.5 of 0.5 (radius 2), 3 within 0.5 of 2.5 (radius 2): all in -> 1.
  Tensor real = tensor(std::vector<double>{0, 1, 3}, {3, 1}), fake = tensor(std::vector<double>{0.5, 2.5, 6}, {3, 1});
  CHECK(knn_radii(real, 1).to_vector<double>() == std::vector<double>{1, 1, 2});
  CHECK(knn_radii(fake, 1).to_vector<double>() == std::vector<double>{2, 2, 3.5});
  PrecisionRecall pr = precision_recall(real, fake, 1, 2);
  CHECK(pr.precision == Approx(2.0 / 3.0));
  CHECK(pr.recall == 1.0);
  // k = 2 on the real set: radii are the farthest of the two others: 3, 2, 3
  CHECK(knn_radii(real, 2).to_vector<double>() == std::vector<double>{3, 2, 3});
}

TEST_CASE("precision and recall: the k-th neighbour in 2-D and the errors", "[eval][pr]") {
  // unit square corners and its centre; k = 3: for a corner the distances are sqrt(0.5) (centre), 1, 1, sqrt(2):
  // the third nearest is 1; for the centre all four are sqrt(0.5)
  Tensor sq = tensor(std::vector<double>{0, 0, 1, 0, 0, 1, 1, 1, 0.5, 0.5}, {5, 2});
  std::vector<double> r = knn_radii(sq, 3, 2).to_vector<double>();
  for (int i = 0; i < 4; ++i) CHECK(r[static_cast<size_t>(i)] == Approx(1.0).epsilon(1e-12));
  CHECK(r[4] == Approx(std::sqrt(0.5)).epsilon(1e-12));
  CHECK_THROWS_WITH(knn_radii(sq, 5), Catch::Contains("k < N"));
  CHECK_THROWS_WITH(precision_recall(sq, zeros({5, 3})), Catch::Contains("precision_recall"));
}
