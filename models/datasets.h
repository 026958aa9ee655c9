// The data sets `dgm train` trains on, by name, as whole splits: image sets
// read from files (MNIST, Fashion-MNIST, CIFAR-10 where the files exist) and
// the course's 2-D and 1-D toy sets, generated from a seed (nn/data/toy_datasets.h).
#pragma once
#include <string>
#include <vector>

#include "models/spec.h"

namespace dgm::models {

struct DatasetSpec {
  std::string name;
  std::string kind;  // "images" or "toy"
  std::string description;
  std::string fetch;  // the command that gets it ("" when generated)
};
const std::vector<DatasetSpec>& dataset_specs();

struct DataSplits {
  Batch train;  // x and, for data sets with classes, y
  Batch test;
};

// Both splits of `dataset` as `spec` consumes them: images through
// spec.prepare, labels kept only for conditional models, the first
// `limit` / `test_limit` examples when those are > 0. A dgm::Error names the
// data set and how to get it when files are missing, and a model/data-set
// mismatch (an image model on a toy set) is an error too.
DataSplits load_data(const ModelSpec& spec, const std::string& dataset, const std::string& data_dir, int64_t limit = 0,
                     int64_t test_limit = 0, uint64_t seed = 0);

}  // namespace dgm::models
