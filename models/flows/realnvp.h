// RealNVP for images (Dinh et al. 2017), as homework 2 builds it (COURSE.md
// §1.2 task 2; lecture 2, seminar 3):
//
//   x in {0, 1/(nbins-1), ..., 1}^(C,H,W)
//   -> LogitTransform (dequantize, x_s = alpha + (1-2 alpha) y, logit)
//   -> transforms1: 4 x [checkerboard coupling (parity alternating, true first), ActNorm(C)]
//   -> squeeze to (4C, H/2, W/2)
//   -> transforms2: 4 x [channel coupling (parity alternating), ActNorm(4C)]
//   -> undo the squeeze
//   -> transforms3: 4 x [checkerboard coupling, ActNorm(C)]        = z
//
// The log-det is carried element-wise with z (the shape of x) and squeezed
// with it, so
//   log p(x) = sum over (C,H,W) of [log N(z; 0, 1) + log_det]          (a density on [0,1)^D)
//   loss     = {"nll_loss": -mean log p(x)}   (nats per image; the loss the homework trains)
// and, since each of the nbins^D dequantization bins has volume nbins^-D, the
// discrete NLL is nll_loss + D log nbins, reported as "bits_per_dim"
// = (nll_loss + D log nbins) / (D log 2).
// sample(n): z ~ N(0, I), the inverse pass, then floor(clip(x nbins, 0, nbins - 1)) / (nbins - 1).
#pragma once
#include <memory>
#include <vector>

#include "models/flows/actnorm.h"
#include "models/flows/coupling_channel.h"
#include "models/flows/coupling_checkerboard.h"
#include "models/flows/logit_transform.h"
#include "models/model.h"
#include "nn/modules/container.h"

namespace dgm::models::flows {

// log p(x) per example (B) from a flow's output for x with a N(0, I) prior: the sum over the non-batch
// dimensions of log N(z; 0, 1) + log_det (log_det element-wise, z's shape).
Tensor standard_normal_flow_log_prob(const FlowOutput& out);

class RealNVP : public GenerativeModel {
 public:
  RealNVP(std::vector<int64_t> input_shape, int64_t n_channels, int64_t n_filters, int64_t n_blocks,
          int64_t nbins = 256, int64_t n_couplings = 4);
  std::string name() const override { return "RealNVP"; }
  std::string extra_repr() const override;

  // x -> (z, element-wise log-det) or, with invert, z -> (x, log-det of the inverse). `noise`: the
  // dequantization noise U[0,1) (x's shape) to use instead of drawing it (the PyTorch twin's test).
  FlowOutput forward(const Tensor& x, bool invert, const Tensor& noise = {});
  using nn::Module::forward;
  // log p(x) per image (B), nats, of the dequantized x.
  Tensor log_prob(const Tensor& x, const Tensor& noise = {});

  Losses loss(const Batch& batch) override;
  Tensor sample(int64_t n, const SampleOptions& options = {}) override;

  int64_t n_channels() const { return n_channels_; }
  int64_t nbins() const { return nbins_; }
  const std::vector<int64_t>& input_shape() const { return input_shape_; }

  std::shared_ptr<LogitTransform> preprocess;
  std::shared_ptr<nn::ModuleList> transforms1, transforms2, transforms3;

 private:
  FlowOutput run(nn::ModuleList& stack, FlowOutput state, bool invert);

  std::vector<int64_t> input_shape_;
  int64_t n_channels_, n_filters_, n_blocks_, nbins_, n_couplings_;
};

}  // namespace dgm::models::flows
