// The Inception-style score of models/eval/inception_score.h on logits whose score is known by hand.
#include <catch2/catch.hpp>
#include <cmath>

#include "dgm.h"
#include "models/eval/inception_score.h"

using namespace dgm;
using namespace dgm::models::eval;

TEST_CASE("IS of identical predictions is 1", "[eval][is]") {
  // p(y|x) = p(y) for every x: every KL is 0, exp(0) = 1, in every split
  InceptionScore s = inception_score(zeros({50, 10}), 5);
  CHECK(s.mean == Approx(1.0).epsilon(1e-12));
  CHECK(s.std == Approx(0.0).margin(1e-12));
  s = inception_score(tensor(std::vector<float>{1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3}, {5, 3}), 5);
  CHECK(s.mean == Approx(1.0).epsilon(1e-12));
}

TEST_CASE("IS of confident predictions of distinct classes is the number of classes", "[eval][is]") {
  // one-hot p(y|x), each split holding every class equally: KL = log C for every x, IS = C
  const int64_t c = 10;
  Tensor logits = full({5 * c, c}, -60.0, kFloat64);
  for (int64_t i = 0; i < 5 * c; ++i) logits.select(0, i).select(0, i % c).fill_(60.0);
  InceptionScore s = inception_score(logits, 5);
  CHECK(s.mean == Approx(10.0).epsilon(1e-9));
  CHECK(s.std == Approx(0.0).margin(1e-9));
  // one class only: p(y) is that class, KL = 0, IS = 1 (confidence alone is not diversity)
  Tensor same = full({20, c}, -60.0, kFloat64);
  for (int64_t i = 0; i < 20; ++i) same.select(0, i).select(0, 3).fill_(60.0);
  CHECK(inception_score(same, 5).mean == Approx(1.0).epsilon(1e-9));
}

TEST_CASE("IS of two splits with different scores: mean and np.std", "[eval][is]") {
  // split 1: 2 samples one-hot on classes 0 and 1 -> IS 2; split 2: both on class 0 -> IS 1.
  // mean 1.5, np.std (1/splits) 0.5
  Tensor logits = full({4, 2}, -60.0, kFloat64);
  logits.select(0, 0).select(0, 0).fill_(60.0);
  logits.select(0, 1).select(0, 1).fill_(60.0);
  logits.select(0, 2).select(0, 0).fill_(60.0);
  logits.select(0, 3).select(0, 0).fill_(60.0);
  InceptionScore s = inception_score(logits, 2);
  CHECK(s.mean == Approx(1.5).epsilon(1e-9));
  CHECK(s.std == Approx(0.5).epsilon(1e-9));
  CHECK_THROWS_WITH(inception_score(zeros({3, 10}), 5), Catch::Contains("splits"));
}
