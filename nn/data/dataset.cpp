#include "nn/data/dataset.h"

#include <cmath>

#include "autograd/ops/index_ops.h"
#include "tensor/factories.h"

namespace dgm::nn::data {

std::vector<Tensor> Dataset::get(int64_t i) const {
  const int64_t n = size();
  DGM_CHECK(i >= -n && i < n, "Dataset::get: index ", i, " is out of range for a data set of ", n, " examples");
  if (i < 0) i += n;
  std::vector<Tensor> batch = get_batch(tensor(std::vector<int64_t>{i}));
  for (Tensor& t : batch) t = t.select(0, 0);
  return batch;
}

TensorDataset::TensorDataset(std::vector<Tensor> tensors) : tensors_(std::move(tensors)) {
  DGM_CHECK(!tensors_.empty(), "TensorDataset: needs at least one tensor");
  for (size_t k = 0; k < tensors_.size(); ++k) {
    DGM_CHECK(tensors_[k].defined() && tensors_[k].dim() >= 1, "TensorDataset: tensor ", k,
              " must be defined and have at least one dimension");
    DGM_CHECK(tensors_[k].size(0) == tensors_[0].size(0), "TensorDataset: size mismatch between tensors: tensor 0 has ",
              tensors_[0].size(0), " examples, tensor ", k, " has ", tensors_[k].size(0), " (shapes ",
              shape_str(tensors_[0].shape()), " and ", shape_str(tensors_[k].shape()), ")");
  }
}

int64_t TensorDataset::size() const { return tensors_.empty() ? 0 : tensors_[0].size(0); }

std::vector<Tensor> TensorDataset::get_batch(const Tensor& indices) const {
  std::vector<Tensor> out;
  out.reserve(tensors_.size());
  for (const Tensor& t : tensors_) out.push_back(index_select(t, 0, indices));
  return out;
}

std::vector<Tensor> TensorDataset::get(int64_t i) const {
  const int64_t n = size();
  DGM_CHECK(i >= -n && i < n, "TensorDataset::get: index ", i, " is out of range for a data set of ", n, " examples");
  if (i < 0) i += n;
  std::vector<Tensor> out;
  for (const Tensor& t : tensors_) out.push_back(t.select(0, i));
  return out;
}

std::pair<TensorDataset, TensorDataset> split_fraction(const TensorDataset& ds, double fraction) {
  DGM_CHECK(fraction >= 0 && fraction <= 1, "split_fraction: fraction must be in [0, 1], got ", fraction);
  const int64_t n = ds.size(), k = static_cast<int64_t>(std::floor(fraction * static_cast<double>(n) + 1e-9));
  std::vector<Tensor> a, b;
  for (const Tensor& t : ds.tensors()) {
    a.push_back(t.slice(0, 0, k));
    b.push_back(t.slice(0, k, n));
  }
  return {TensorDataset(a), TensorDataset(b)};
}

}  // namespace dgm::nn::data
