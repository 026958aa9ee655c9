#include "models/score/conditioned_resnet.h"

#include "autograd/ops/elementwise.h"
#include "nn/modules/activation.h"

namespace dgm::models::score {

namespace {

void check_input(const Tensor& x, const Tensor& y, int64_t channels, int64_t num_embeddings, const char* who) {
  DGM_CHECK(x.dim() == 4 && x.size(1) == channels, who, ": expected x (B, ", channels, ", H, W), got ",
            shape_str(x.shape()));
  DGM_CHECK(y.dim() == 1 && y.size(0) == x.size(0) && y.dtype() == kInt64, who, ": expected levels y (", x.size(0),
            ") int64, got ", shape_str(y.shape()), " ", dtype_name(y.dtype()));
  (void)num_embeddings;
}

}  // namespace

ConditionedResnetBlock::ConditionedResnetBlock(int64_t dim_, int64_t num_embeddings_)
    : dim(dim_), num_embeddings(num_embeddings_) {
  DGM_CHECK(dim > 0 && num_embeddings > 0, "ConditionedResnetBlock: dim and num_embeddings must be positive, got ", dim,
            " and ", num_embeddings);
  block = register_module("block", std::make_shared<nn::Sequential>(
                                       std::make_shared<nn::Conv2d>(dim, dim, 1), std::make_shared<nn::ReLU>(),
                                       std::make_shared<nn::Conv2d>(dim, dim, 3, 1, 1), std::make_shared<nn::ReLU>(),
                                       std::make_shared<nn::Conv2d>(dim, dim, 1)));
  embedding = register_module("embedding", std::make_shared<nn::Embedding>(num_embeddings, dim));
}

std::string ConditionedResnetBlock::extra_repr() const {
  return "dim=" + std::to_string(dim) + ", num_embeddings=" + std::to_string(num_embeddings);
}

Tensor ConditionedResnetBlock::forward(const Tensor& x, const Tensor& y) {
  check_input(x, y, dim, num_embeddings, "ConditionedResnetBlock");
  // out = x + block(x + E[y]), E[y] broadcast over H and W
  const Tensor e = embedding->forward(y).view({-1, dim, 1, 1});
  return x + block->forward(x + e);
}

ConditionedSimpleResnet::ConditionedSimpleResnet(int64_t in_channels_, int64_t out_channels_, int64_t n_filters_,
                                                 int64_t n_blocks, int64_t num_embeddings_)
    : in_channels(in_channels_), out_channels(out_channels_), n_filters(n_filters_), num_embeddings(num_embeddings_) {
  DGM_CHECK(in_channels > 0 && out_channels > 0 && n_filters > 0 && n_blocks >= 0,
            "ConditionedSimpleResnet: expected positive channels and filters and n_blocks >= 0, got in ", in_channels,
            ", out ", out_channels, ", n_filters ", n_filters, ", n_blocks ", n_blocks);
  first = register_module("first", std::make_shared<nn::Conv2d>(in_channels, n_filters, 3, 1, 1));
  for (int64_t i = 0; i < n_blocks; ++i)
    blocks.push_back(register_module("block" + std::to_string(i),
                                     std::make_shared<ConditionedResnetBlock>(n_filters, num_embeddings)));
  last = register_module("last", std::make_shared<nn::Conv2d>(n_filters, out_channels, 3, 1, 1));
}

Tensor ConditionedSimpleResnet::forward(const Tensor& x, const Tensor& y) {
  check_input(x, y, in_channels, num_embeddings, "ConditionedSimpleResnet");
  Tensor h = relu(first->forward(x));
  for (auto& b : blocks) h = b->forward(h, y);
  return last->forward(relu(h));
}

}  // namespace dgm::models::score
