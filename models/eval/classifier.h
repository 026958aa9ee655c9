// The feature network of the evaluation suite: a small convolutional classifier of 1x28x28 images in [0, 1]
// (MNIST or Fashion-MNIST), trained by `dgm train mnist-classifier` / `fashion-classifier`. The course's FID
// uses Inception-v3 features; no such weights exist here, so dgm's FID, IS, precision and recall use this
// network's penultimate layer (features) and its logits, and name it ("FID (dgm MNIST features)").
//
//   x (B,1,28,28) -> conv3x3(c1) relu maxpool2 -> conv3x3(c2) relu maxpool2 -> flatten (c2*7*7)
//     -> dropout -> linear(hidden) relu = features (B,hidden) -> dropout -> linear(10) = logits (B,10)
//
// loss(batch) needs labels (batch.y): "loss" is the cross entropy of the logits (nats per image, mean) and
// "accuracy" (logged, not optimized) the share of argmax predictions equal to the label. A classifier does not
// sample: sample() throws. Its pictures are confusion.png (rows: true class, columns: predicted class, gray
// level = share of the row) and predictions.png (test images in the column of their predicted class).
#pragma once
#include <memory>

#include "models/model.h"
#include "nn/modules/conv.h"
#include "nn/modules/dropout.h"
#include "nn/modules/linear.h"

namespace dgm::models::eval {

class Classifier : public GenerativeModel {
 public:
  Classifier(int64_t c1 = 32, int64_t c2 = 64, int64_t hidden = 128, int64_t classes = 10, double dropout = 0.25);
  std::string name() const override { return "Classifier"; }
  std::string extra_repr() const override;

  // x (B,1,28,28) in [0, 1] -> the penultimate layer (B,hidden), after its ReLU
  Tensor features(const Tensor& x);
  // x (B,1,28,28) -> logits (B,classes)
  Tensor logits(const Tensor& x);
  // (features, logits) of one forward pass
  std::pair<Tensor, Tensor> features_and_logits(const Tensor& x);
  Tensor forward(const Tensor& x) override { return logits(x); }

  Losses loss(const Batch& batch) override;
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;
  void save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) override;
  std::vector<std::string> sample_options() const override { return {}; }

  int64_t hidden, classes;
  double dropout_p;
  std::shared_ptr<nn::Conv2d> conv1, conv2;
  std::shared_ptr<nn::Linear> fc1, fc2;
  std::shared_ptr<nn::Dropout> drop1, drop2;
};

}  // namespace dgm::models::eval
