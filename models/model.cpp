#include "models/model.h"

#include "models/train/optimizers.h"
#include "nn/io/image_grid.h"
#include "nn/io/scatter.h"
#include "tensor/factories.h"

namespace dgm::models {

std::map<std::string, std::vector<Tensor>> GenerativeModel::optimizer_groups() { return {{"model", parameters()}}; }

std::vector<std::string> GenerativeModel::sample_options() const {
  if (num_classes() > 0) return {"labels"};
  return {};
}

Losses GenerativeModel::train_step(const Batch& batch, train::Optimizers& optimizers) {
  const std::string& optimizer = optimizers.single();
  optimizers.zero_grad(optimizer);
  Losses losses = loss(batch);
  auto it = losses.find(optimizers.loss_key());
  DGM_CHECK(it != losses.end(), name(), ": loss() has no \"", optimizers.loss_key(),
            "\" entry to minimize (the spec's loss key)");
  it->second.backward();
  optimizers.step(optimizer);
  return losses;
}

void GenerativeModel::save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples,
                                    Generator* gen) {
  SampleOptions options(gen);
  const int64_t classes = num_classes();
  if (classes > 0) {
    std::vector<int64_t> labels(static_cast<size_t>(n_samples));
    for (int64_t i = 0; i < n_samples; ++i) labels[static_cast<size_t>(i)] = i % classes;
    options.labels = tensor(labels).to(test_batch.x.device());
  }
  Tensor samples = generate(n_samples, options);
  if (samples.dim() == 4) {
    nn::io::ImageOptions image_options;
    if (classes > 0) image_options.nrow = classes;
    nn::io::save_image_grid(dir + "/samples.png", samples.clamp(0.0, 1.0), image_options);
  } else {
    nn::io::save_scatter_panels(dir + "/samples.png", {{"data (test)", test_batch.x}, {"samples", samples}}, name());
  }
}

}  // namespace dgm::models
