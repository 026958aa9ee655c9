// The models `dgm train` knows, with what each needs: its data set, the
// transform applied to the images, and default hyperparameters.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "models/model.h"

namespace dgm::models {

struct ModelSpec {
  std::string name;          // as typed on the command line: "vae"
  std::string description;
  std::string loss_unit;     // what the "loss" key measures: "negative ELBO, nats per image"
  std::vector<std::string> datasets;  // the first is the default
  std::string transform;     // what is done to the 0..255 images, for `dgm list`
  int64_t epochs = 10;
  int64_t batch_size = 128;
  double lr = 1e-3;
  std::function<std::shared_ptr<GenerativeModel>()> make;
  std::function<Tensor(const Tensor&)> prepare;  // images (N,C,H,W) in 0..255 -> model input
};

const std::vector<ModelSpec>& model_specs();
// The spec named `name`; a dgm::Error listing the known models otherwise.
const ModelSpec& find_model(const std::string& name);

struct DatasetSpec {
  std::string name;
  std::string description;
  std::string fetch;  // the command that gets it
};
const std::vector<DatasetSpec>& dataset_specs();

// Train and test images (N,C,H,W) with values 0..255 of a named data set.
std::pair<Tensor, Tensor> load_images(const std::string& dataset, const std::string& data_dir);

}  // namespace dgm::models
