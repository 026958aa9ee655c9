#include "nn/data/dataloader.h"

#include "tensor/factories.h"
#include "tensor/random.h"

namespace dgm::nn::data {

DataLoader::DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options)
    : dataset_(std::move(dataset)), options_(options) {
  DGM_CHECK(dataset_ != nullptr, "DataLoader: null dataset");
  DGM_CHECK(options_.batch_size > 0, "DataLoader: batch_size must be positive, got ", options_.batch_size);
}

DataLoader::DataLoader(const TensorDataset& dataset, DataLoaderOptions options)
    : DataLoader(std::make_shared<TensorDataset>(dataset), options) {}

DataLoader::DataLoader(const TensorDataset& dataset, int64_t batch_size, bool shuffle, bool drop_last, uint64_t seed)
    : DataLoader(dataset, DataLoaderOptions{batch_size, shuffle, drop_last, seed}) {}

int64_t DataLoader::size() const {
  const int64_t n = dataset_->size(), b = options_.batch_size;
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

void DataLoader::set_epoch(int64_t epoch) {
  DGM_CHECK(epoch >= 0, "DataLoader::set_epoch: epoch must be non-negative, got ", epoch);
  epoch_ = epoch;
}

Tensor DataLoader::order(int64_t epoch) const {
  const int64_t n = dataset_->size();
  if (!options_.shuffle) return arange(static_cast<double>(n));
  Generator gen(options_.seed);
  gen.set_offset(static_cast<uint64_t>(epoch) << 32);
  return randperm(n, kInt64, &gen);
}

DataLoader::iterator DataLoader::begin() {
  Tensor ord = order(epoch_);
  ++epoch_;
  return iterator(this, ord, 0);
}

DataLoader::iterator DataLoader::end() const { return iterator(nullptr, Tensor(), size()); }

DataLoader::iterator::iterator(const DataLoader* loader, Tensor order, int64_t index)
    : loader_(loader), order_(std::move(order)), index_(index) {
  load();
}

void DataLoader::iterator::load() {
  batch_.clear();
  if (!loader_ || index_ >= loader_->size()) return;
  const int64_t b = loader_->options_.batch_size, n = order_.size(0);
  const int64_t start = index_ * b, stop = std::min(start + b, n);
  batch_ = loader_->dataset_->get_batch(order_.slice(0, start, stop).contiguous());
}

DataLoader::iterator& DataLoader::iterator::operator++() {
  ++index_;
  load();
  return *this;
}

}  // namespace dgm::nn::data
