// The pictures of a ConditionalDDPM run: samples.png (the default grid, guided when conditional),
// forward_noise.png (the course's forward-noise demo) and trajectory.png (x_t along sampling).
#include <algorithm>
#include <string>
#include <vector>

#include "autograd/grad_mode.h"
#include "models/diffusion/conditional_ddpm.h"
#include "nn/io/image_grid.h"
#include "nn/io/trajectory.h"
#include "tensor/factories.h"
#include "tensor/random.h"

namespace dgm::models::diffusion {

namespace {

// The course's forward-noise timestamps at T = 1000, scaled to T.
std::vector<int64_t> forward_timestamps(int64_t T) {
  std::vector<int64_t> out;
  for (int64_t s : {0, 50, 100, 200, 300, 500, 600, 800, 999}) {
    const int64_t t = std::min(T - 1, s * T / 1000);
    if (out.empty() || t > out.back()) out.push_back(t);
  }
  return out;
}

}  // namespace

void ConditionalDDPM::save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples,
                                    Generator* gen) {
  NoGradGuard no_grad;
  const Device device = test_batch.x.device();
  // samples.png: n_samples (guided, labels cycling over the classes, one class per column, when conditional);
  // trajectory.png: the first 8 of them, x_t at every (steps / 6)-th step of the sampler, and the finished x_0
  SampleOptions options(gen);
  if (conditional) {
    std::vector<int64_t> labels;
    for (int64_t i = 0; i < n_samples; ++i) labels.push_back(i % num_classes());
    options.labels = tensor(labels).to(device);
  }
  const int64_t rows = std::min<int64_t>({8, test_batch.size(), n_samples});
  const int64_t steps = default_steps > 0 ? default_steps : num_timesteps;
  const int64_t every = std::max<int64_t>(1, steps / 6);
  std::vector<Tensor> frames;
  std::vector<std::string> captions;
  int64_t taken = 0;
  const Tensor samples = sample_with_steps(n_samples, options, [&](int64_t t, const Tensor& x) {
    if (taken++ % every == 0 || t == 0) {
      frames.push_back(to_output(x.narrow(0, 0, rows)));
      captions.push_back("t=" + std::to_string(t));
    }
  });
  nn::io::ImageOptions grid;
  if (conditional) grid.nrow = num_classes();
  nn::io::save_image_grid(dir + "/samples.png", samples, grid);
  nn::io::save_trajectory(dir + "/trajectory.png", frames, captions, std::make_pair(0.0, 1.0));

  // forward_noise.png: x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps of 8 test images, one eps per image
  const Tensor x0 = test_batch.x.narrow(0, 0, rows) * 2.0 - 1.0;
  const Tensor noise = randn(x0.shape(), TensorOptions().device(device), gen);
  frames.clear();
  captions.clear();
  for (int64_t t : forward_timestamps(num_timesteps)) {
    const Tensor ts = full({rows}, static_cast<double>(t), TensorOptions().dtype(kInt64).device(device));
    frames.push_back(to_output(forward_diffusion.get_samples(x0, ts, noise)));
    captions.push_back("t=" + std::to_string(t));
  }
  nn::io::save_trajectory(dir + "/forward_noise.png", frames, captions, std::make_pair(0.0, 1.0));
}

}  // namespace dgm::models::diffusion
