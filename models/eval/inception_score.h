// The Inception score (Salimans et al., 2016; lecture 7) from a classifier's logits (N,C):
//
//   IS = exp(E_x KL(p(y|x) || p(y))),   p(y|x) = softmax(logits), p(y) = mean over the split of p(y|x)
//
// computed on `splits` consecutive equal parts of the N examples (the last N mod splits dropped, as the usual
// implementation does); the result is the mean and the standard deviation (np.std, 1/splits) of the parts'
// scores. It lies in [1, C]: 1 when every p(y|x) is the same, C when each is one-hot and the classes are used
// equally. dgm's IS uses its own classifiers' logits (models/eval/classifier.h), not Inception-v3's.
#pragma once
#include "tensor/tensor.h"

namespace dgm::models::eval {

struct InceptionScore {
  double mean = 0;
  double std = 0;
};
// logits (N,C), N >= splits >= 1. float64 throughout; terms with p(y|x) = 0 count 0 (0 log 0 = 0).
InceptionScore inception_score(const Tensor& logits, int64_t splits = 5);

}  // namespace dgm::models::eval
