// A flow of K planar (or radial) layers with a standard normal base, 2-D
// points (seminar 3's PlanarFlow(dim=2, K=64)), trained one of two ways.
//
// Forward KL (maximum likelihood) on data, energy = "": as the seminar, the
// layers are applied to the data, f = f_K o ... o f_1 : x -> z, so the density
// is exact and cheap,
//   log p(x) = log N(f(x); 0, I) + sum_k log|det J_{f_k}|,
//   loss     = -mean log p(x)                         (nats per point),
// and sampling runs the layers' numerical inverses (planar_flow.h) from z ~ N(0, I).
//
// Reverse KL to exp(-U)/Z, energy = "u1".."u4", "ring" (nn/data/energies.h):
// the layers map the other way, g = g_K o ... o g_1 : z0 -> x, so sampling
// and log q of one's own samples are exact,
//   log q(x) = log N(z0; 0, I) - sum_k log|det J_{g_k}|,   x = g(z0),  z0 ~ N(0, I),
//   loss     = mean [log q(x) + U(x)]                  (nats per draw; = KL(q || p) - log Z),
//   kl       = loss + log Z,  log Z by quadrature on [-8,8]^2 (energy_log_normalizer),
//   outside_box = the share of the draws x outside [-4,4]^2,
// with z0 drawn from the default generator, batch.size() of them (the batch's
// points, exact samples of p, only set how many). The density of other
// points (the pictures) runs the layers' numerical inverses.
// U includes the wall that confines the target to [-4,4]^2
// (nn/data/energies.h), so kl is the exact KL(q || p) wherever q puts its
// mass; outside_box says how much of q's mass the wall is pushing back.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "models/flows/flow_layer.h"
#include "models/model.h"

namespace dgm::models::flows {

class PlanarFlow : public GenerativeModel {
 public:
  // layer: "planar" or "radial"; num_layers K >= 1; energy "" (forward KL) or an energy name (reverse KL).
  PlanarFlow(std::string layer, int64_t dim, int64_t num_layers, std::string energy = "");
  std::string name() const override { return "PlanarFlow"; }
  std::string extra_repr() const override;

  // x (B,D) -> base point z and sum_k log|det dz/dx| (B), through every layer.
  FlowOutput to_noise(const Tensor& x);
  // z (B,D) -> data point x and sum_k log|det dx/dz| (B).
  FlowOutput to_data(const Tensor& z);
  // log p(x) = log N(to_noise(x).z; 0, I) + its log-det, (B).
  Tensor log_prob(const Tensor& x);
  // The positions of z (B,D) after 0, 1, ..., K layers on the way to the data (K + 1 tensors).
  std::vector<Tensor> path_to_data(const Tensor& z);

  Losses loss(const Batch& batch) override;
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;
  // samples.png (data beside samples); transport.png (a grid of base points
  // after 0, K/4, K/2, 3K/4, K layers); forward KL: density.png (the flow's
  // density heat map beside the test data); reverse KL: energy_vs_flow.png
  // (exp(-U) beside the flow's density on [-4,4]^2).
  void save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) override;

  bool reverse_kl() const { return !energy_.empty(); }
  const std::string& energy_name() const { return energy_; }
  int64_t num_layers() const { return static_cast<int64_t>(layers_.size()); }

 private:
  void check_points(const char* op, const Tensor& x) const;

  std::string layer_kind_, energy_;
  int64_t dim_;
  std::vector<std::shared_ptr<FlowLayer>> layers_;  // applied first to last going from data to noise (forward KL)
                                                    // or from noise to data (reverse KL)
};

}  // namespace dgm::models::flows
