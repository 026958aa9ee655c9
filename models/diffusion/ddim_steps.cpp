#include "models/diffusion/ddim_steps.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "autograd/grad_mode.h"
#include "autograd/ops/shape_ops.h"
#include "models/diffusion/samplers.h"
#include "models/eval/evaluate.h"
#include "models/eval/fid.h"
#include "nn/io/atomic_file.h"
#include "nn/io/image_grid.h"
#include "nn/io/plot.h"
#include "tensor/error.h"
#include "tensor/factories.h"

namespace dgm::models::diffusion {

std::vector<int64_t> capped_steps(const std::vector<int64_t>& steps, int64_t num_timesteps) {
  DGM_CHECK(!steps.empty(), "ddim steps: expected at least one step count");
  std::vector<int64_t> out;
  for (int64_t s : steps) {
    DGM_CHECK(s >= 1, "ddim steps: every step count must be >= 1, got ", s);
    const int64_t c = std::min(s, num_timesteps);
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  }
  return out;
}

namespace {

// n samples of `model` by DDIM on `timesteps`, in chunks, as images in [0, 1] on the CPU.
Tensor ddim_images(DiffusionModel& model, const std::vector<int64_t>& timesteps, const DdimStepsOptions& o) {
  NoGradGuard no_grad;
  const std::vector<Tensor> params = model.parameters();
  const Device device = params.empty() ? Device(kCPU) : params.front().device();
  const EpsFn eps = [&model](const Tensor& x_t, const Tensor& t) { return model.predict_eps(x_t, t); };
  Generator gen(o.seed);
  std::vector<Tensor> parts;
  for (int64_t start = 0; start < o.n; start += o.chunk) {
    const int64_t rows = std::min(o.chunk, o.n - start);
    Shape shape{rows};
    for (int64_t d : model.example_shape()) shape.push_back(d);
    const Tensor x_T = randn(shape, kFloat32, &gen).to(device);
    const Tensor x0 = ddim_sample_loop(model.reverse_diffusion(), eps, x_T, timesteps, o.eta,
                                       model.reverse_diffusion().clip_range, &gen);
    parts.push_back(model.to_output(x0).detach().cpu().to(kFloat32));
  }
  return cat(parts, 0);
}

}  // namespace

DdimStepsReport ddim_steps_fid(DiffusionModel& model, const eval::FeatureNetwork& net, const Tensor& test_x,
                               const Tensor& train_x, const DdimStepsOptions& o) {
  DGM_CHECK(o.n >= 2 && o.chunk >= 1 && o.row >= 1, "ddim_steps_fid: expected n >= 2, chunk >= 1 and row >= 1, got n ",
            o.n, ", chunk ", o.chunk, ", row ", o.row);
  DGM_CHECK(o.eta >= 0 && o.eta <= 1, "ddim_steps_fid: eta must be in [0, 1], got ", o.eta);
  DGM_CHECK(model.example_shape().size() == 3, "ddim_steps_fid: expected an image model (example shape (C,H,W)), got ",
            shape_str(model.example_shape()));
  DGM_CHECK(net.classifier, "ddim_steps_fid: no feature network");
  const bool was_training = model.is_training();
  model.eval();
  DdimStepsReport r;
  r.features = net.name;
  r.n = o.n;
  r.eta = o.eta;
  r.seed = o.seed;
  r.num_timesteps = model.reverse_diffusion().num_timesteps;
  const auto [ref_f, ref_l] = eval::features_and_logits(*net.classifier, test_x, o.chunk);
  const eval::GaussianStats ref = eval::gaussian_stats(ref_f);
  std::vector<Tensor> picture_rows;
  for (int64_t steps : capped_steps(o.steps, r.num_timesteps)) {
    const std::vector<int64_t> timesteps = strided_timesteps(r.num_timesteps, steps);
    const auto start = std::chrono::steady_clock::now();
    const Tensor images = ddim_images(model, timesteps, o);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto [f, l] = eval::features_and_logits(*net.classifier, images, o.chunk);
    r.rows.push_back({steps, eval::frechet_distance(ref, eval::gaussian_stats(f)), seconds / static_cast<double>(o.n)});
    picture_rows.push_back(images.narrow(0, 0, std::min(o.row, o.n)));
  }
  const int64_t m = std::min(o.n, train_x.size(0));
  const auto [tf, tl] = eval::features_and_logits(*net.classifier, train_x.narrow(0, 0, m), o.chunk);
  r.floor_fid = eval::frechet_distance(ref, eval::gaussian_stats(tf));
  r.sample_rows = cat(picture_rows, 0);
  model.train(was_training);
  return r;
}

void save_ddim_steps(const std::string& dir, const DdimStepsReport& r) {
  DGM_CHECK(!r.rows.empty() && r.sample_rows.defined(), "save_ddim_steps: an empty report");
  nn::io::Curve model_curve, floor_curve;
  for (const DdimStepsRow& row : r.rows) {
    model_curve.push_back({std::log10(static_cast<double>(row.steps)), row.fid});
    floor_curve.push_back({std::log10(static_cast<double>(row.steps)), r.floor_fid});
  }
  std::sort(model_curve.begin(), model_curve.end());
  std::sort(floor_curve.begin(), floor_curve.end());
  char title[160];
  std::snprintf(title, sizeof(title), "FID (%s), n %lld, DDIM eta %g, against log10(steps)", r.features.c_str(),
                static_cast<long long>(r.n), r.eta);
  nn::io::plot_curves(dir + "/ddim_steps.png",
                      {{"model samples", model_curve}, {"floor: training images", floor_curve}}, title);
  nn::io::ImageOptions grid;
  grid.nrow = r.sample_rows.size(0) / static_cast<int64_t>(r.rows.size());
  nn::io::save_image_grid(dir + "/ddim_steps_samples.png", r.sample_rows, grid);
  nlohmann::json rows = nlohmann::json::array();
  for (const DdimStepsRow& row : r.rows)
    rows.push_back({{"steps", row.steps}, {"fid", row.fid}, {"seconds_per_image", row.seconds_per_image}});
  const nlohmann::json j = {{"features", r.features},
                            {"n", r.n},
                            {"eta", r.eta},
                            {"seed", r.seed},
                            {"T", r.num_timesteps},
                            {"rows", rows},
                            {"floor_fid", r.floor_fid},
                            {"samples_png_rows", "one row per step count, in order"}};
  nn::io::write_file_atomic(dir + "/ddim_steps.json", j.dump(2) + "\n");
}

}  // namespace dgm::models::diffusion
