// The convolutional critic of homework 3 task 3 (hw3.9): a function f: images -> R, no sigmoid.
//
//   ConvCritic(n_channels = 64, clip_c = none, in_channels = 3)
//     x (B, in_channels, 32, 32) -> CriticBlock(in_channels, n, downsample, first)   32 -> 16
//     -> CriticBlock(n, n, downsample) 16 -> 8 -> CriticBlock(n, n) -> CriticBlock(n, n)
//     -> ReLU -> mean over H and W (B, n) -> Linear(n, 1)                              (B, 1)
//
// Weight clipping (the WGAN of Arjovsky et al. 2017, lecture 6): clip_weights() clamps every weight and bias of
// the Linear and Conv2d layers (all the critic's parameters) into [-clip_c, clip_c], in place. forward() clips
// first when clip_c is set and some parameter lies outside (the course's "forward clips"); only then, so that two
// forwards in one graph (real and fake) never see their saved weights modified in place. The WGAN's train_step
// also clips right after each critic step.
#pragma once
#include <memory>
#include <optional>

#include "models/gan/critic_block.h"
#include "nn/modules/container.h"
#include "nn/modules/linear.h"

namespace dgm::models::gan {

class ConvCritic : public nn::Module {
 public:
  explicit ConvCritic(int64_t n_channels = 64, std::optional<double> clip_c = std::nullopt, int64_t in_channels = 3);
  Tensor forward(const Tensor& x) override;
  // Clamp every parameter of the Linear and Conv2d layers into [-clip_c, clip_c] (an error without clip_c).
  void clip_weights();
  // Whether every such parameter lies in [-clip_c, clip_c] (true without clip_c).
  bool weights_clipped() const;
  std::string name() const override { return "ConvCritic"; }
  std::string extra_repr() const override;

  int64_t n_channels, in_channels;
  std::optional<double> clip_c;
  // Registered as "blocks" (a Sequential of four CriticBlocks) and "linear".
  std::shared_ptr<nn::Sequential> blocks;
  std::shared_ptr<nn::Linear> linear;
};

}  // namespace dgm::models::gan
