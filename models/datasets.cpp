#include "models/datasets.h"

#include "nn/data/cifar.h"
#include "nn/data/mnist.h"
#include "nn/data/toy_datasets.h"

namespace dgm::models {

const std::vector<DatasetSpec>& dataset_specs() {
  static const std::vector<DatasetSpec> specs = [] {
    std::vector<DatasetSpec> s = {
        {"mnist", "images", "MNIST digits, 60000 train + 10000 test, 1x28x28, labels 0-9", "scripts/fetch-data mnist"},
        {"fashion-mnist", "images", "Fashion-MNIST, 60000 train + 10000 test, 1x28x28, labels 0-9",
         "scripts/fetch-data fashion-mnist"},
        {"cifar10", "images", "CIFAR-10, 50000 train + 10000 test, 3x32x32 (bring your own files)",
         "put cifar-10-batches-bin/ in the data folder"},
    };
    for (const std::string& name : nn::data::toy_dataset_names())
      s.push_back({name, "toy", "2-D/1-D toy set, generated from the seed (nn/data/toy_datasets.h)", ""});
    return s;
  }();
  return specs;
}

namespace {

const DatasetSpec& find_dataset(const std::string& name) {
  std::string known;
  for (const DatasetSpec& d : dataset_specs()) {
    if (d.name == name) return d;
    known += (known.empty() ? "" : ", ") + d.name;
  }
  DGM_FAIL("unknown data set \"", name, "\"; known: ", known, " (see `dgm list`)");
}

nn::data::ImageSet read_images(const std::string& name, const std::string& dir, bool train) {
  if (name == "mnist") return nn::data::load_mnist(dir, train);
  if (name == "fashion-mnist") return nn::data::load_fashion_mnist(dir, train);
  return nn::data::load_cifar10(dir, train);
}

Tensor first(const Tensor& t, int64_t n) { return t.defined() && n > 0 && n < t.size(0) ? t.narrow(0, 0, n) : t; }

Batch take(const ModelSpec& spec, Tensor x, Tensor y, int64_t limit) {
  Batch b(first(x, limit));
  if (spec.conditional) {
    DGM_CHECK(y.defined(), "model \"", spec.name, "\" is conditional but the data set has no labels");
    b.y = first(y, limit).to(kInt64);
  }
  return b;
}

}  // namespace

DataSplits load_data(const ModelSpec& spec, const std::string& dataset, const std::string& data_dir, int64_t limit,
                     int64_t test_limit, uint64_t seed) {
  const DatasetSpec& d = find_dataset(dataset);
  bool allowed = false;
  for (const std::string& name : spec.datasets) allowed |= name == dataset;
  if (!allowed) {
    std::string names;
    for (const std::string& name : spec.datasets) names += (names.empty() ? "" : ", ") + name;
    DGM_FAIL("model \"", spec.name, "\" does not train on \"", dataset, "\"; it takes: ", names);
  }
  DataSplits out;
  if (d.kind == "toy") {
    nn::data::ToyData toy = nn::data::load_toy_dataset(dataset, spec.toy_size, seed);
    out.train = take(spec, toy.train.x, toy.train.y, limit);
    out.test = take(spec, toy.test.x, toy.test.y, test_limit);
  } else {
    DGM_CHECK(spec.prepare, "model \"", spec.name, "\" has no image transform for \"", dataset, "\"");
    nn::data::ImageSet train = read_images(dataset, data_dir, true), test = read_images(dataset, data_dir, false);
    // Before any transform: an empty split is the data's fault, not the model's.
    DGM_CHECK(train.size() > 0 && test.size() > 0, "data set \"", dataset, "\" in '", data_dir, "' has ", train.size(),
              " training and ", test.size(), " test images; both must be > 0");
    out.train = take(spec, spec.prepare(first(train.images, limit)), train.labels, limit);
    out.test = take(spec, spec.prepare(first(test.images, test_limit)), test.labels, test_limit);
  }
  DGM_CHECK(out.train.size() > 0 && out.test.size() > 0, "data set \"", dataset, "\" gave ", out.train.size(),
            " training and ", out.test.size(), " test examples; both must be > 0");
  return out;
}

}  // namespace dgm::models
