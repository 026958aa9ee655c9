// Small test-only models that exercise the training path the course families
// use, before those families exist: a 2-D GAN with two optimizers and
// n_critic critic steps, a class-conditional model, a scalar model with a
// closed-form trajectory (EMA, schedules, clipping), and a two-stage pair.
#pragma once
#include <string>

#include "models/registry.h"
#include "models/train/run.h"
#include "nn/modules/linear.h"

namespace dgm::test {

// Registers the family "test" and the models gan2d, cond2d, scalar, gauss2d,
// gauss2d-codes, nan-loss and nan-grad (diverge on training step 12) and
// heavy (a 12 MB checkpoint, one step per epoch) in models::registry() (once per process).
void register_test_models();

// A fresh, empty folder <tmp>/dgm_<suite>_<name>_<pid> (removed first if it is there).
std::string fresh_temp_dir(const std::string& suite, const std::string& name);
// A run of `model` (a test model, registered here) into `out`, its log going nowhere.
models::train::RunConfig quiet_run_config(const std::string& model, const std::string& out);

// A diagonal Gaussian fitted by maximum likelihood: mean m (D) and log std
// (D); loss = mean over the batch of -log N(x; m, diag(exp(2 log_std))).
class DiagonalGaussian : public models::GenerativeModel {
 public:
  explicit DiagonalGaussian(int64_t dim, std::shared_ptr<DiagonalGaussian> parent = nullptr);
  std::string name() const override { return "DiagonalGaussian"; }
  models::Losses loss(const models::Batch& batch) override;
  // Draws from N(m, s^2); a second stage decodes them through its parent.
  Tensor sample(int64_t n, const models::SampleOptions& options = {}) override;
  // (x - m) / s: the "codes" a second stage trains on.
  Tensor encode(const Tensor& x) const;
  Tensor decode(const Tensor& z) const;
  // log N(x; m, s^2) per row of x (n, D).
  Tensor log_prob(const Tensor& x) const;
  // samples.png and, for a first stage, density.png: its density as a heat map over the test points
  // (a model picks the pictures of its run folder).
  void save_pictures(const std::string& dir, const models::Batch& test, int64_t n_samples, Generator* gen) override;
  Tensor mean, log_std;
  std::shared_ptr<DiagonalGaussian> parent;
};

}  // namespace dgm::test
