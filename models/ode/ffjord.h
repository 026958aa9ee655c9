// FFJORD on points (Grathwohl et al. 2019; lectures 10-11): a continuous normalizing flow whose field is an OdeNet,
// data at t = 0, the base N(0, I) at t = 1 (cnf.h):
//   log p(x) = log N(x(1); 0, I) - l(1),      l' = -tr(df/dx),  l(0) = 0
//   loss     = -mean log p(x)                  (nats per point)
// Training uses the configured trace (exact, or Hutchinson's estimate with one fixed e per point per solve) and the
// adjoint for gradients; evaluation (eval mode) always uses the exact trace, so test NLLs are exact up to the
// solver's error, and also logs
//   hutchinson_var  mean over the points of Var_e[e^T J e] at t = 0 (closed form from J, divergence.h): what one
//                   Hutchinson draw adds to the variance of each point's trace (the exact trace: 0)
//   nfe             evaluations of the augmented field in the last forward solve
// Sampling integrates x from t = 1 back to t = 0 starting at z ~ N(0, I) (no trace needed).
#pragma once
#include <memory>

#include "models/model.h"
#include "models/ode/cnf.h"
#include "models/ode/ode_net.h"

namespace dgm::models::ode {

struct FfjordConfig {
  int64_t dim = 2;
  std::vector<int64_t> hidden = {64, 64, 64};
  std::string activation = "tanh";
  CnfSolver solver;  // training and evaluation solves (the trace is exact in eval mode)
};

class Ffjord : public GenerativeModel {
 public:
  explicit Ffjord(FfjordConfig config);
  std::string name() const override { return "Ffjord"; }
  std::string extra_repr() const override;

  // log p(x) (B) with the given trace; stats, when given, receives the solver's counts.
  Tensor log_prob(const Tensor& x, TraceMode trace, Generator* gen = nullptr,
                  std::shared_ptr<AdjointStats> stats = nullptr);
  // z (B, D) at t = 1 -> x at t = 0
  Tensor to_data(const Tensor& z);

  Losses loss(const Batch& batch) override;
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;
  // samples.png (data beside samples) and density.png: the exact-trace density heat map, the variance of one
  // Rademacher Hutchinson draw of the trace at t = 0 (log scale), and the test data.
  void save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) override;

  OdeNet& net() { return *net_; }
  const FfjordConfig& config() const { return config_; }

 private:
  void check_points(const char* op, const Tensor& x) const;
  PointField field();

  FfjordConfig config_;
  std::shared_ptr<OdeNet> net_;
};

}  // namespace dgm::models::ode
