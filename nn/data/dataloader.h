// Batches of a Dataset, as torch.utils.data.DataLoader (single process):
//
//   DataLoader loader(TensorDataset({images, labels}), {.batch_size = 128, .shuffle = true, .seed = 0});
//   for (int epoch = 0; epoch < 10; ++epoch)
//     for (const std::vector<Tensor>& batch : loader) {   // batch[0] (B,1,28,28), batch[1] (B)
//       ...
//     }
//
// Each range-for (each call of begin()) is one epoch. With shuffle, epoch e
// visits the examples in the order randperm(n) drawn from Generator(seed) at
// offset e * 2^32: the same for the same seed and epoch on every machine, a
// new order every epoch. set_epoch(e) chooses the next epoch (as
// DistributedSampler.set_epoch), e.g. when resuming from a checkpoint.
// Without shuffle the order is 0, 1, ..., n-1. The last batch is smaller when
// batch_size does not divide n, unless drop_last drops it.
#pragma once
#include <cstdint>
#include <iterator>
#include <memory>
#include <vector>

#include "nn/data/dataset.h"

namespace dgm::nn::data {

struct DataLoaderOptions {
  int64_t batch_size = 1;
  bool shuffle = false;
  bool drop_last = false;
  uint64_t seed = 0;
};

class DataLoader {
 public:
  DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options);
  DataLoader(const TensorDataset& dataset, DataLoaderOptions options);
  DataLoader(const TensorDataset& dataset, int64_t batch_size, bool shuffle = false, bool drop_last = false,
             uint64_t seed = 0);

  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = std::vector<Tensor>;
    using difference_type = std::ptrdiff_t;
    using pointer = const std::vector<Tensor>*;
    using reference = const std::vector<Tensor>&;

    iterator() = default;
    reference operator*() const { return batch_; }
    pointer operator->() const { return &batch_; }
    iterator& operator++();
    bool operator==(const iterator& other) const { return index_ == other.index_; }
    bool operator!=(const iterator& other) const { return index_ != other.index_; }

   private:
    friend class DataLoader;
    iterator(const DataLoader* loader, Tensor order, int64_t index);
    void load();
    const DataLoader* loader_ = nullptr;
    Tensor order_;  // int64 (n): the example order of this epoch
    int64_t index_ = 0;
    std::vector<Tensor> batch_;
  };

  // Starts the next epoch.
  iterator begin();
  iterator end() const;

  // Number of batches per epoch (len(loader)).
  int64_t size() const;
  const Dataset& dataset() const { return *dataset_; }
  const DataLoaderOptions& options() const { return options_; }
  // The epoch the next begin() starts (0 at first).
  int64_t epoch() const { return epoch_; }
  void set_epoch(int64_t epoch);
  // The example order of epoch e, as begin() would use it.
  Tensor order(int64_t epoch) const;

 private:
  std::shared_ptr<const Dataset> dataset_;
  DataLoaderOptions options_;
  int64_t epoch_ = 0;
};

}  // namespace dgm::nn::data
