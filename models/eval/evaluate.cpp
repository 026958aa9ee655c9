#include "models/eval/evaluate.h"

#include <algorithm>
#include <cmath>

#include "autograd/grad_mode.h"
#include "autograd/ops/shape_ops.h"
#include "models/eval/fid.h"
#include "nn/data/transforms.h"
#include "nn/functional/conv.h"
#include "tensor/factories.h"
#include "tensor/random.h"

namespace dgm::models::eval {

namespace {

Tensor to_28(const Tensor& images) {
  DGM_CHECK(images.dim() == 4 && images.size(1) == 1 &&
                ((images.size(2) == 28 && images.size(3) == 28) || (images.size(2) == 32 && images.size(3) == 32)),
            "evaluation: the feature network reads gray images (N,1,28,28) or (N,1,32,32), got ",
            shape_str(images.shape()));
  Tensor x = images.to(kFloat32);
  return x.size(2) == 32 ? nn::data::resize_bilinear(x, 28, 28) : x;
}

// FID, IS, precision and recall of one feature set against the reference (test) set.
SetMetrics compare(const std::string& name, const GaussianStats& ref_stats, const Tensor& ref_features,
                   const Tensor& ref_radii, const Tensor& features, const Tensor& logits, const EvalOptions& o) {
  SetMetrics m;
  m.name = name;
  m.n = features.size(0);
  m.fid = frechet_distance(ref_stats, gaussian_stats(features));
  m.is = inception_score(logits, o.splits);
  m.pr.precision = share_inside(features, ref_features, ref_radii, 1024);
  m.pr.recall = share_inside(ref_features, features, knn_radii(features, o.k, 1024), 1024);
  return m;
}

}  // namespace

std::pair<Tensor, Tensor> features_and_logits(Classifier& net, const Tensor& images, int64_t chunk) {
  NoGradGuard no_grad;
  const Device device = net.parameters().front().device();
  std::vector<Tensor> features, logits;
  for (int64_t start = 0; start < images.size(0); start += chunk) {
    const int64_t rows = std::min(chunk, images.size(0) - start);
    auto [f, l] = net.features_and_logits(to_28(images.narrow(0, start, rows)).to(device));
    features.push_back(f.cpu());
    logits.push_back(l.cpu());
  }
  return {cat(features, 0), cat(logits, 0)};
}

Tensor gaussian_blur(const Tensor& images, double sigma) {
  DGM_CHECK(images.dim() == 4 && images.size(1) == 1 && sigma > 0,
            "gaussian_blur: expected gray images (N,1,H,W) and sigma > 0, got ", shape_str(images.shape()),
            " and sigma ", sigma);
  NoGradGuard no_grad;
  const int64_t r = static_cast<int64_t>(std::ceil(3 * sigma)), taps = 2 * r + 1;
  std::vector<float> w(static_cast<size_t>(taps * taps));
  double total = 0;
  for (int64_t i = 0; i < taps; ++i)
    for (int64_t j = 0; j < taps; ++j) {
      const double d2 = static_cast<double>((i - r) * (i - r) + (j - r) * (j - r));
      total += std::exp(-d2 / (2 * sigma * sigma));
    }
  for (int64_t i = 0; i < taps; ++i)
    for (int64_t j = 0; j < taps; ++j) {
      const double d2 = static_cast<double>((i - r) * (i - r) + (j - r) * (j - r));
      w[static_cast<size_t>(i * taps + j)] = static_cast<float>(std::exp(-d2 / (2 * sigma * sigma)) / total);
    }
  Tensor weight = tensor(w, {1, 1, taps, taps}).to(images.device());
  return nn::functional::conv2d(images.to(kFloat32), weight, {}, 1, r);
}

Tensor generate_images(GenerativeModel& model, int64_t n, int64_t chunk, const SampleOptions& base, Tensor* labels) {
  NoGradGuard no_grad;
  const int64_t classes = model.num_classes();
  const std::vector<Tensor> params = model.parameters();
  const Device device = params.empty() ? Device(kCPU) : params.front().device();
  std::vector<Tensor> parts, label_parts;
  for (int64_t start = 0; start < n; start += chunk) {
    const int64_t rows = std::min(chunk, n - start);
    SampleOptions options = base;
    options.labels = Tensor();
    if (classes > 0) {
      std::vector<int64_t> v(static_cast<size_t>(rows));
      for (int64_t i = 0; i < rows; ++i) v[static_cast<size_t>(i)] = (start + i) % classes;
      options.labels = tensor(v).to(device);
      label_parts.push_back(tensor(v));
    }
    Tensor x = model.generate(rows, options);
    DGM_CHECK(x.dim() == 4, "evaluation: generate(", rows, ") of ", model.name(), " gave ", shape_str(x.shape()),
              ", expected images (n,C,H,W)");
    parts.push_back(x.detach().cpu().to(kFloat32));
  }
  if (classes > 0 && labels) *labels = cat(label_parts, 0);
  return cat(parts, 0);
}

EvalReport evaluate_images(GenerativeModel& model, const FeatureNetwork& net, const Batch& test, const Tensor& train_x,
                           const EvalOptions& o) {
  DGM_CHECK(o.n > o.k && o.n >= o.splits && o.chunk >= 1,
            "evaluate_images: expected n > k and n >= splits, got n=", o.n, ", k=", o.k, ", splits=", o.splits);
  DGM_CHECK(test.has_labels() && test.size() > o.k, "evaluate_images: expected a labelled test split of more than ",
            o.k, " images, got ", test.size());
  NoGradGuard no_grad;
  Classifier& classifier = *net.classifier;
  EvalReport report;
  report.features = net.name;
  auto [ref_f, ref_l] = features_and_logits(classifier, test.x, o.chunk);
  const GaussianStats ref_stats = gaussian_stats(ref_f);
  const Tensor ref_radii = knn_radii(ref_f, o.k, 1024);
  report.test_accuracy = ref_l.argmax(1).eq(test.y.cpu()).to(kFloat64).mean().item();
  report.test_is = inception_score(ref_l, o.splits);

  Generator gen(o.seed);
  Tensor labels;
  SampleOptions sampling(&gen);
  sampling.guidance = o.guidance;
  sampling.steps = o.steps;
  sampling.ode_method = o.ode_method;
  int64_t nfe = 0;
  sampling.function_evaluations = &nfe;
  Tensor samples = generate_images(model, o.n, o.chunk, sampling, &labels);
  report.function_evaluations = nfe / ((o.n + o.chunk - 1) / o.chunk);
  auto [f, l] = features_and_logits(classifier, samples, o.chunk);
  report.rows.push_back(compare("model samples", ref_stats, ref_f, ref_radii, f, l, o));
  if (labels.defined()) {
    const int64_t classes = model.num_classes();
    const std::vector<int64_t> pred = l.argmax(1).to_vector<int64_t>(), want = labels.to_vector<int64_t>();
    std::vector<double> right(static_cast<size_t>(classes), 0), all(static_cast<size_t>(classes), 0);
    for (size_t i = 0; i < pred.size(); ++i) {
      all[static_cast<size_t>(want[i])] += 1;
      right[static_cast<size_t>(want[i])] += pred[i] == want[i] ? 1 : 0;
    }
    report.sampled_accuracy = 0;
    for (int64_t c = 0; c < classes; ++c) {
      const double a =
          all[static_cast<size_t>(c)] > 0 ? right[static_cast<size_t>(c)] / all[static_cast<size_t>(c)] : 0;
      report.class_accuracy.push_back(a);
      report.sampled_accuracy += a / static_cast<double>(classes);
    }
  }
  {
    const int64_t m = std::min(o.n, train_x.size(0));
    auto [tf, tl] = features_and_logits(classifier, train_x.narrow(0, 0, m), o.chunk);
    report.rows.push_back(compare("floor: training images", ref_stats, ref_f, ref_radii, tf, tl, o));
  }
  {
    auto [bf, bl] = features_and_logits(classifier, gaussian_blur(test.x.cpu(), o.blur_sigma), o.chunk);
    report.rows.push_back(compare("test images blurred", ref_stats, ref_f, ref_radii, bf, bl, o));
  }
  {
    Generator noise_gen(o.seed + 1);
    Tensor noised = test.x.cpu().to(kFloat32) + randn(test.x.shape(), kFloat32, &noise_gen) * o.noise_sigma;
    auto [nf, nl] = features_and_logits(classifier, noised, o.chunk);
    report.rows.push_back(compare("test images + noise", ref_stats, ref_f, ref_radii, nf, nl, o));
  }
  return report;
}

}  // namespace dgm::models::eval
