// cfm-mnist, otcfm-mnist, cfm-conical-mnist and reflow-mnist through the training path, small, on a fake MNIST: each
// trains two epochs, draws its pictures (samples, the 2/10/100-step comparison) and a run stopped after one epoch
// and resumed ends bit-identical; reflow-mnist starts from the cfm-mnist run (--from) with its weights, and its
// training pairs are (x* = clip(ODE(x0)), x0) of the parent's 10-step Euler ODE, the same in every call.
#include <catch2/catch.hpp>
#include <filesystem>

#include "dgm.h"
#include "models/flow_matching/flow_matching.h"
#include "models/registry.h"
#include "models/train/run.h"
#include "tests/models/train/run_checks.h"

using namespace dgm;
using namespace dgm::models;
namespace fs = std::filesystem;

TEST_CASE("cfm-mnist, otcfm-mnist, cfm-conical-mnist and reflow-mnist train, draw and resume bit-identically",
          "[flow_matching][train]") {
  test::OneThread one;
  const std::string data_dir = test::fake_image_data("flow_matching_runs", 16, 4);
  const test::SmallRun small{
      .data_dir = data_dir, .limit = 16, .test_limit = 4, .batch_size = 8, .samples = 2, .resumed_samples = false};
  const std::string first =
      test::train_and_resume("flow_matching_runs", "cfm-mnist", small, {"samples.png", "steps.png"}).dir;
  for (const std::string model : {"otcfm-mnist", "cfm-conical-mnist"}) {
    INFO(model);
    fs::remove_all(test::train_and_resume("flow_matching_runs", model, small, {"samples.png"}).dir);
  }

  // reflow: built from the restored parent with every weight equal
  train::RestoredRun parent = train::restore_run(first, Device(kCPU), true);
  const ModelSpec& spec = find_model("reflow-mnist");
  auto reflow = spec.make(MakeContext{parent.model, "quick"});
  const nn::StateDict p = parent.model->state_dict(), r = reflow->state_dict();
  REQUIRE(p.size() == r.size());
  for (const auto& [k, v] : p) CHECK(r.at(k).sub(v).abs().max().item() == 0);
  // its pairs: x* = clip(ODE_10(x0), 0, 1) of the pair's own noise, reproducible, different between chunks
  Tensor images = rand({3, 1, 32, 32});
  const Batch pairs = spec.stage_data(*parent.model, Batch(images));
  REQUIRE(pairs.has_pair());
  REQUIRE(pairs.x.shape() == Shape{3, 1, 32, 32});
  auto& parent_fm = dynamic_cast<flow_matching::FlowMatching&>(*parent.model);
  CHECK(parent_fm.integrate(pairs.pair, 10).clamp(0.0, 1.0).sub(pairs.x).abs().max().item() < 1e-6);
  CHECK(spec.stage_data(*parent.model, Batch(images)).pair.sub(pairs.pair).abs().max().item() == 0);
  CHECK(spec.stage_data(*parent.model, Batch(images * 0.5)).pair.sub(pairs.pair).abs().max().item() > 0.1);

  test::SmallRun second_run = small;
  second_run.from = first;
  fs::remove_all(test::train_and_resume("flow_matching_runs", "reflow-mnist", second_run, {"samples.png"}).dir);

  // any step count through generate
  SampleOptions options;
  options.steps = 3;
  Generator gen(4);
  options.gen = &gen;
  const Tensor samples = parent.model->generate(2, options);
  REQUIRE(samples.shape() == Shape{2, 1, 32, 32});
  CHECK(samples.min().item() >= 0);
  CHECK(samples.max().item() <= 1);
  fs::remove_all(first);
  fs::remove_all(data_dir);
}
