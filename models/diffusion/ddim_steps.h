// FID against the number of DDIM steps (seminar 9): one trained image DiffusionModel sampled by DDIM on strided
// subsets of its timesteps (samplers.h: strided_timesteps, ddim_sample_loop), each set of samples measured by FID
// with dgm's classifier features (models/eval/fid.h) against the test split, beside the floor (as many training
// images against the same test split). Every step count starts from the same x_T draws (seed), so with eta = 0 the
// rows of the picture show the same samples computed with fewer and fewer steps.
//
// FID of n samples is biased upward by O(dim / n) (the covariance estimates), so at a small n (500 on 2 CPU cores)
// only the differences between rows and against the floor at the same n mean something.
//
// `dgm eval RUN --ddim-steps 1000,250,100,50,20,10 [--n 500] [--eta 0]` writes into RUN:
//   ddim_steps.png          FID against log10(steps), with the floor as a flat line
//   ddim_steps_samples.png  one row of samples per step count (the first `row` of each)
//   ddim_steps.json         the table: steps, FID, seconds per image; the floor; n, eta, seed, features
#pragma once
#include <string>
#include <vector>

#include "models/diffusion/diffusion_model.h"
#include "models/eval/feature_cache.h"

namespace dgm::models::diffusion {

struct DdimStepsOptions {
  std::vector<int64_t> steps{1000, 250, 100, 50, 20, 10};  // capped at the model's T, repeats dropped
  int64_t n = 500;                                         // samples per step count
  double eta = 0;                                          // DDIM's eta in [0, 1]
  uint64_t seed = 0;                                       // the x_T draws (the same for every step count)
  int64_t chunk = 250;                                     // samples per sampler call
  int64_t row = 10;                                        // samples per row of the picture
};

struct DdimStepsRow {
  int64_t steps = 0;
  double fid = 0;
  double seconds_per_image = 0;  // wall time of the sampler and to_output, per image
};

struct DdimStepsReport {
  std::string features;  // "dgm MNIST features"
  int64_t n = 0;
  double eta = 0;
  uint64_t seed = 0;
  int64_t num_timesteps = 0;       // the model's T
  std::vector<DdimStepsRow> rows;  // in the order of the (capped) step counts
  double floor_fid = 0;            // n training images against the test split
  Tensor sample_rows;              // (rows * row, C, H, W) in [0, 1]: the first `row` samples of each step count
};

// The step counts a model with T timesteps runs: each min(steps, T), repeats dropped, order kept; every entry >= 1.
std::vector<int64_t> capped_steps(const std::vector<int64_t>& steps, int64_t num_timesteps);

// test_x, train_x: images in [0, 1] as the feature network reads them ((N,1,28,28) or (N,1,32,32)).
DdimStepsReport ddim_steps_fid(DiffusionModel& model, const eval::FeatureNetwork& net, const Tensor& test_x,
                               const Tensor& train_x, const DdimStepsOptions& options);

// ddim_steps.png, ddim_steps_samples.png and ddim_steps.json in dir (see the top of this file).
void save_ddim_steps(const std::string& dir, const DdimStepsReport& report);

}  // namespace dgm::models::diffusion
