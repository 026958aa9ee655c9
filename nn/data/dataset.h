// Data sets as torch.utils.data: a Dataset has size() examples, each a list
// of tensors (e.g. {image, label}), and can hand out a batch of them at once;
// a TensorDataset holds tensors that share their first dimension and indexes
// them along it.
//
//   TensorDataset ds({images, labels});       // images (N,1,28,28), labels (N)
//   std::vector<Tensor> ex = ds.get(0);        // {(1,28,28), ()}
//   std::vector<Tensor> b = ds.get_batch(tensor(std::vector<int64_t>{3, 1}));  // {(2,1,28,28), (2)}
#pragma once
#include <vector>

#include "tensor/tensor.h"

namespace dgm::nn::data {

class Dataset {
 public:
  virtual ~Dataset() = default;
  // Number of examples (len(dataset)).
  virtual int64_t size() const = 0;
  // The examples at the int64 1-D `indices`, stacked along a new first dim.
  virtual std::vector<Tensor> get_batch(const Tensor& indices) const = 0;
  // Example i (dataset[i]); negative i counts from the end.
  virtual std::vector<Tensor> get(int64_t i) const;
};

class TensorDataset : public Dataset {
 public:
  TensorDataset() = default;
  // Every tensor must have the same size(0).
  explicit TensorDataset(std::vector<Tensor> tensors);

  int64_t size() const override;
  std::vector<Tensor> get_batch(const Tensor& indices) const override;
  std::vector<Tensor> get(int64_t i) const override;
  const std::vector<Tensor>& tensors() const { return tensors_; }

 private:
  std::vector<Tensor> tensors_;
};

// The first `fraction` of the examples and the rest, as the course splits
// moons 80/20 (no shuffling: shuffle before if the order matters).
std::pair<TensorDataset, TensorDataset> split_fraction(const TensorDataset& ds, double fraction);

}  // namespace dgm::nn::data
