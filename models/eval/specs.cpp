#include "models/eval/specs.h"

#include "models/eval/classifier.h"
#include "models/train/presets.h"
#include "nn/data/transforms.h"

namespace dgm::models::eval {

namespace {

// Both classifiers: the same network on their own data set; quick and course presets differ only in epochs.
ModelSpec classifier_spec(const std::string& name, const std::string& dataset, const std::string& target) {
  ModelSpec s;
  s.name = name;
  s.family = "classifier";
  s.course = "lecture 7 (FID, IS, precision and recall); the course uses Inception-v3 features instead";
  s.description = "CNN classifier of " + dataset +
                  " (conv 32, conv 64, max pools, dropout, linear 128): its penultimate layer gives dgm's FID, "
                  "precision and recall features, its logits the Inception-style score; target " +
                  target;
  s.loss_unit = "cross entropy of the labels, nats per image (accuracy logged beside it)";
  s.datasets = {dataset};
  s.transform = "x / 255 in [0, 1], labels kept";
  s.conditional = true;  // batches carry the labels
  s.prepare = [](const Tensor& images) { return nn::data::scale_01(images); };
  s.make = [](const MakeContext&) { return std::make_shared<Classifier>(32, 64, 128, 10, 0.25); };
  return s;
}

}  // namespace

void register_models(Registry& r) {
  r.add_family({"classifier", "feature networks of the evaluation suite (FID, IS, precision and recall)", "lecture 7"});
  {
    ModelSpec s = classifier_spec("mnist-classifier", "mnist", "test accuracy >= 99.3%");
    // a constant lr 1e-3 for 5 epochs stopped at 99.04%; a cosine decay to 0 over the 6 epochs' 2814 steps
    // (469 batches of 128 an epoch) settles it. A fixed T_max, not "the run", so a run may be resumed longer.
    TrainSettings quick = train::settings(6, 128, 1e-3);
    quick.optimizers["model"].schedule.kind = "cosine";
    quick.optimizers["model"].schedule.unit = "step";
    quick.optimizers["model"].schedule.t_max = 6 * 469;
    quick.expected_time = "not measured yet";
    TrainSettings course = train::settings(15, 128, 1e-3);
    course.expected_time = "not measured (no GPU run yet)";
    s.presets = {{"quick", quick}, {"course", course}};
    r.add(std::move(s));
  }
  {
    ModelSpec s = classifier_spec("fashion-classifier", "fashion-mnist", "test accuracy >= 91%");
    TrainSettings quick = train::settings(5, 128, 1e-3);
    quick.expected_time = "not measured yet";
    TrainSettings course = train::settings(15, 128, 1e-3);
    course.expected_time = "not measured (no GPU run yet)";
    s.presets = {{"quick", quick}, {"course", course}};
    r.add(std::move(s));
  }
}

}  // namespace dgm::models::eval
