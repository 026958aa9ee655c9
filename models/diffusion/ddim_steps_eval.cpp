#include "models/diffusion/ddim_steps_eval.h"

#include <cstdio>

#include "models/datasets.h"
#include "models/registry.h"
#include "models/train/run.h"
#include "models/train/settings_check.h"
#include "nn/io/metrics.h"
#include "tensor/error.h"

namespace dgm::models::diffusion {

std::vector<int64_t> parse_steps_list(const std::string& option, const std::string& text) {
  DGM_CHECK(!text.empty(), option, ": expected a comma-separated list of step counts (e.g. 1000,250,100,50,20,10)");
  std::vector<int64_t> out;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    out.push_back(train::parse_integer(option, item, train::closed(1, train::limits::kMaxSteps)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

DdimStepsReport eval_ddim_steps(const std::string& run, const std::string& data_dir, const std::string& features,
                                Device device, const DdimStepsOptions& options) {
  train::RestoredRun restored = train::restore_run(run, device);
  auto* model = dynamic_cast<DiffusionModel*>(restored.model.get());
  DGM_CHECK(model, "--ddim-steps: ", run, " is a run of \"", restored.spec->name, "\" (", restored.model->name(),
            "), not a diffusion model (DiffusionModel) that DDIM can sample");
  const std::string dataset =
      restored.metadata.count("dataset") ? restored.metadata.at("dataset") : restored.spec->datasets.front();
  const eval::FeatureNetwork net = eval::load_feature_network(dataset, features, device);
  const DataSplits data = load_data(find_model(net.model), dataset, data_dir);  // x / 255 and labels
  std::printf(
      "%s: DDIM (eta %g) samples of %s%s, n %lld per step count, T = %lld, against the %lld test images of %s "
      "(features: %s)\n",
      run.c_str(), options.eta, restored.spec->name.c_str(), restored.ema ? " (EMA weights)" : "",
      static_cast<long long>(options.n), static_cast<long long>(model->reverse_diffusion().num_timesteps),
      static_cast<long long>(data.test.size()), dataset.c_str(), net.name.c_str());
  const DdimStepsReport r = ddim_steps_fid(*model, net, data.test.x, data.train.x, options);
  std::printf("%8s  %-28s %18s\n", "steps", ("FID (" + r.features + ")").c_str(), "seconds per image");
  for (const DdimStepsRow& row : r.rows)
    std::printf("%8lld  %-28.3f %18.4f\n", static_cast<long long>(row.steps), row.fid, row.seconds_per_image);
  std::printf("%8s  %-28.3f (%lld training images against the test split)\n", "floor", r.floor_fid,
              static_cast<long long>(std::min(options.n, data.train.size())));
  std::printf("FID at n = %lld is biased upward (compare the rows with each other and with the floor)\n",
              static_cast<long long>(options.n));
  save_ddim_steps(run, r);
  nn::io::MetricRecord record{{"split", "eval"}, {"ddim_eta", r.eta}, {"features", r.features},
                              {"samples", r.n},  {"seed", r.seed},    {"floor_fid", r.floor_fid}};
  for (const DdimStepsRow& row : r.rows) {
    record.set("ddim" + std::to_string(row.steps) + "_fid", row.fid);
    record.set("ddim" + std::to_string(row.steps) + "_seconds_per_image", row.seconds_per_image);
  }
  nn::io::MetricsWriter(run + "/metrics.jsonl").write(record);
  std::printf("wrote %s/ddim_steps.png, ddim_steps_samples.png, ddim_steps.json; appended to metrics.jsonl\n",
              run.c_str());
  return r;
}

}  // namespace dgm::models::diffusion
