#include "models/eval/classifier.h"

#include "autograd/grad_mode.h"
#include "autograd/ops/elementwise.h"
#include "nn/functional/loss.h"
#include "nn/functional/pooling.h"
#include "nn/io/image_grid.h"
#include "tensor/factories.h"

namespace dgm::models::eval {

Classifier::Classifier(int64_t c1, int64_t c2, int64_t hidden_, int64_t classes_, double dropout)
    : hidden(hidden_), classes(classes_), dropout_p(dropout) {
  DGM_CHECK(c1 > 0 && c2 > 0 && hidden_ > 0 && classes_ > 1 && dropout >= 0 && dropout < 1,
            "Classifier: expected widths > 0, classes > 1 and dropout in [0, 1), got c1=", c1, " c2=", c2,
            " hidden=", hidden_, " classes=", classes_, " dropout=", dropout);
  conv1 = register_module("conv1", std::make_shared<nn::Conv2d>(1, c1, 3, 1, 1));
  conv2 = register_module("conv2", std::make_shared<nn::Conv2d>(c1, c2, 3, 1, 1));
  drop1 = register_module("drop1", std::make_shared<nn::Dropout>(dropout));
  fc1 = register_module("fc1", std::make_shared<nn::Linear>(c2 * 7 * 7, hidden_));
  drop2 = register_module("drop2", std::make_shared<nn::Dropout>(dropout));
  fc2 = register_module("fc2", std::make_shared<nn::Linear>(hidden_, classes_));
}

std::string Classifier::extra_repr() const {
  return "hidden=" + std::to_string(hidden) + ", classes=" + std::to_string(classes) +
         ", dropout=" + std::to_string(dropout_p);
}

Tensor Classifier::features(const Tensor& x) {
  DGM_CHECK(x.dim() == 4 && x.size(1) == 1 && x.size(2) == 28 && x.size(3) == 28,
            "Classifier: expected images (B,1,28,28), got ", shape_str(x.shape()));
  Tensor h = nn::functional::max_pool2d(relu(conv1->forward(x)), 2);
  h = nn::functional::max_pool2d(relu(conv2->forward(h)), 2);
  return relu(fc1->forward(drop1->forward(h.flatten(1))));
}

std::pair<Tensor, Tensor> Classifier::features_and_logits(const Tensor& x) {
  Tensor f = features(x);
  return {f, fc2->forward(drop2->forward(f))};
}

Tensor Classifier::logits(const Tensor& x) { return features_and_logits(x).second; }

Losses Classifier::loss(const Batch& batch) {
  DGM_CHECK(batch.has_labels(), "Classifier::loss: a classifier trains on labelled images, got no labels for x ",
            shape_str(batch.x.shape()));
  DGM_CHECK(batch.y.dim() == 1 && batch.y.size(0) == batch.x.size(0), "Classifier::loss: expected labels (",
            batch.x.size(0), "), got ", shape_str(batch.y.shape()));
  Tensor out = logits(batch.x);
  Tensor ce = nn::functional::cross_entropy(out, batch.y);
  NoGradGuard no_grad;
  Tensor accuracy = out.argmax(1).eq(batch.y).to(kFloat32).mean();
  return {{"loss", ce}, {"accuracy", accuracy}};
}

Tensor Classifier::sample(int64_t, const SampleOptions&) {
  throw Error(
      "Classifier: a classifier does not sample; it is the feature network of `dgm eval RUN --fid` "
      "(its pictures are confusion.png and predictions.png)");
}

void Classifier::save_pictures(const std::string& dir, const Batch& test_batch, int64_t, Generator*) {
  if (!test_batch.has_labels() || test_batch.size() == 0) return;
  const Tensor x = test_batch.x;
  const std::vector<int64_t> pred = logits(x).argmax(1).cpu().to_vector<int64_t>();
  const std::vector<int64_t> truth = test_batch.y.cpu().to_vector<int64_t>();
  // confusion.png: classes x classes cells of 8x8 pixels, gray = count / row total
  std::vector<double> counts(static_cast<size_t>(classes * classes), 0.0), rows(static_cast<size_t>(classes), 0.0);
  for (size_t i = 0; i < pred.size(); ++i) {
    counts[static_cast<size_t>(truth[i] * classes + pred[i])] += 1;
    rows[static_cast<size_t>(truth[i])] += 1;
  }
  const int64_t cell = 8;
  std::vector<float> pixels(static_cast<size_t>(classes * cell * classes * cell));
  for (int64_t r = 0; r < classes * cell; ++r)
    for (int64_t c = 0; c < classes * cell; ++c) {
      const auto t = static_cast<size_t>(r / cell), p = static_cast<size_t>(c / cell);
      pixels[static_cast<size_t>(r * classes * cell + c)] =
          rows[t] > 0 ? static_cast<float>(counts[t * static_cast<size_t>(classes) + p] / rows[t]) : 0.0f;
    }
  nn::io::save_image(dir + "/confusion.png", tensor(pixels, {1, classes * cell, classes * cell}));
  // predictions.png: column k holds the test images predicted as class k, top to bottom
  std::vector<std::vector<int64_t>> columns(static_cast<size_t>(classes));
  for (size_t i = 0; i < pred.size(); ++i) columns[static_cast<size_t>(pred[i])].push_back(static_cast<int64_t>(i));
  size_t height = 0;
  for (const auto& col : columns) height = std::max(height, col.size());
  Tensor cpu_x = x.cpu().to(kFloat32).clamp(0.0, 1.0);
  Tensor grid = zeros({static_cast<int64_t>(height) * classes, x.size(1), x.size(2), x.size(3)});
  for (int64_t k = 0; k < classes; ++k)
    for (size_t j = 0; j < columns[static_cast<size_t>(k)].size(); ++j)
      grid.select(0, static_cast<int64_t>(j) * classes + k).copy_(cpu_x.select(0, columns[static_cast<size_t>(k)][j]));
  nn::io::ImageOptions options;
  options.nrow = classes;
  nn::io::save_image_grid(dir + "/predictions.png", grid, options);
}

}  // namespace dgm::models::eval
