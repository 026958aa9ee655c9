#include "models/eval/feature_cache.h"

#include <filesystem>

#include "models/train/run.h"

namespace dgm::models::eval {

std::string classifier_for(const std::string& dataset) {
  if (dataset == "mnist") return "mnist-classifier";
  if (dataset == "fashion-mnist") return "fashion-classifier";
  throw Error("evaluation: dgm has feature networks for mnist and fashion-mnist only, got data set \"" + dataset +
              "\"");
}

std::string feature_name(const std::string& dataset) {
  return dataset == "mnist" ? "dgm MNIST features" : "dgm Fashion-MNIST features";
}

std::string classifier_name(const std::string& dataset) {
  return dataset == "mnist" ? "dgm MNIST classifier" : "dgm Fashion-MNIST classifier";
}

FeatureNetwork load_feature_network(const std::string& dataset, const std::string& dir, Device device) {
  FeatureNetwork net;
  net.model = classifier_for(dataset);
  net.dataset = dataset;
  net.name = feature_name(dataset);
  net.logits_name = classifier_name(dataset);
  net.run = dir.empty() ? "runs/" + net.model : dir;
  DGM_CHECK(std::filesystem::exists(net.run + "/checkpoint.safetensors"), "evaluation: no trained ", net.model, " in ",
            net.run, " (its features define dgm's FID); train it once with `dgm train ", net.model, " --out ", net.run,
            "`, or give --features DIR");
  train::RestoredRun restored = train::restore_run(net.run, device);
  DGM_CHECK(restored.spec->name == net.model, "evaluation: --features ", net.run, " holds a \"", restored.spec->name,
            "\" run, expected a ", net.model, " run for data set \"", dataset, "\"");
  net.classifier = std::dynamic_pointer_cast<Classifier>(restored.model);
  DGM_CHECK(net.classifier, "evaluation: the model of ", net.run, " is not a Classifier");
  net.classifier->eval();
  return net;
}

}  // namespace dgm::models::eval
