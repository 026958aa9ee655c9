// The conditioned ResNet of homework 4 task 3 (given code in the course), the NCSN's score network on images:
//
//   ConditionedResnetBlock(dim, num_embeddings):
//     block = Conv1x1(dim, dim) -> ReLU -> Conv3x3(dim, dim, pad 1) -> ReLU -> Conv1x1(dim, dim)
//     out   = x + block(x + Embedding(y).view(-1, dim, 1, 1))      (the level's embedding added per channel)
//   ConditionedSimpleResnet(in_channels, out_channels, n_filters, n_blocks, num_embeddings):
//     [Conv3x3(in, n_filters, pad 1), ReLU] -> n_blocks ConditionedResnetBlocks -> [ReLU, Conv3x3(n_filters, out)]
//
// x (B, C, H, W) float, y (B) int64 in [0, num_embeddings); the output has x's spatial size.
#pragma once
#include <memory>
#include <vector>

#include "models/score/conditioned_module.h"
#include "nn/modules/container.h"
#include "nn/modules/conv.h"
#include "nn/modules/embedding.h"

namespace dgm::models::score {

class ConditionedResnetBlock : public ConditionedModule {
 public:
  ConditionedResnetBlock(int64_t dim, int64_t num_embeddings);
  using ConditionedModule::forward;
  Tensor forward(const Tensor& x, const Tensor& y) override;
  std::string name() const override { return "ConditionedResnetBlock"; }
  std::string extra_repr() const override;

  int64_t dim, num_embeddings;
  std::shared_ptr<nn::Sequential> block;
  std::shared_ptr<nn::Embedding> embedding;
};

class ConditionedSimpleResnet : public ConditionedModule {
 public:
  ConditionedSimpleResnet(int64_t in_channels, int64_t out_channels, int64_t n_filters, int64_t n_blocks,
                          int64_t num_embeddings);
  using ConditionedModule::forward;
  Tensor forward(const Tensor& x, const Tensor& y) override;
  std::string name() const override { return "ConditionedSimpleResnet"; }

  int64_t in_channels, out_channels, n_filters, num_embeddings;
  std::shared_ptr<nn::Conv2d> first;
  std::vector<std::shared_ptr<ConditionedResnetBlock>> blocks;
  std::shared_ptr<nn::Conv2d> last;
};

}  // namespace dgm::models::score
