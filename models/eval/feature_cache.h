// Where `dgm eval --fid` finds its feature network: the trained classifier run of the data set's family
// (mnist -> mnist-classifier, fashion-mnist -> fashion-classifier), from `--features DIR` or by default
// runs/mnist-classifier / runs/fashion-classifier. A missing run is a dgm::Error naming the command that
// trains it: evaluation never trains a classifier on its own.
#pragma once
#include <memory>
#include <string>

#include "models/eval/classifier.h"
#include "tensor/device.h"

namespace dgm::models::eval {

struct FeatureNetwork {
  std::shared_ptr<Classifier> classifier;  // restored, in eval mode
  std::string run;                         // its run folder
  std::string model;                       // "mnist-classifier"
  std::string dataset;                     // "mnist"
  std::string name;                        // "dgm MNIST features": what every printed FID names
  std::string logits_name;                 // "dgm MNIST classifier": what every printed IS names
};

// "mnist-classifier" for "mnist", "fashion-classifier" for "fashion-mnist"; a dgm::Error for other data sets.
std::string classifier_for(const std::string& dataset);
// The feature network's display name: "dgm MNIST features", "dgm Fashion-MNIST features".
std::string feature_name(const std::string& dataset);
// The classifier's display name (the IS's logits): "dgm MNIST classifier", "dgm Fashion-MNIST classifier".
std::string classifier_name(const std::string& dataset);
// The classifier of `dataset` from `dir` ("" : runs/<classifier_for(dataset)>).
FeatureNetwork load_feature_network(const std::string& dataset, const std::string& dir, Device device);

}  // namespace dgm::models::eval
