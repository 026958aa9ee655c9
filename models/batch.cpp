#include "models/batch.h"

namespace dgm::models {

int64_t Batch::size() const {
  DGM_CHECK(x.defined(), "Batch::size: the batch has no x");
  return x.size(0);
}

Batch Batch::to(Device device) const {
  Batch out;
  out.x = x.defined() ? x.to(device) : x;
  out.y = y.defined() ? y.to(device) : y;
  out.pair = pair.defined() ? pair.to(device) : pair;
  return out;
}

Batch Batch::narrow(int64_t start, int64_t n) const {
  Batch out;
  out.x = x.narrow(0, start, n);
  if (y.defined()) out.y = y.narrow(0, start, n);
  if (pair.defined()) out.pair = pair.narrow(0, start, n);
  return out;
}

std::vector<Tensor> Batch::tensors() const {
  std::vector<Tensor> out{x};
  if (y.defined()) out.push_back(y);
  if (pair.defined()) out.push_back(pair);
  return out;
}

Batch Batch::from_tensors(const std::vector<Tensor>& tensors, bool has_labels, bool has_pair) {
  const size_t expected = 1 + (has_labels ? 1 : 0) + (has_pair ? 1 : 0);
  DGM_CHECK(tensors.size() == expected, "Batch::from_tensors: expected ", expected, " tensors (x",
            has_labels ? ", y" : "", has_pair ? ", pair" : "", "), got ", tensors.size());
  Batch out(tensors[0]);
  size_t i = 1;
  if (has_labels) out.y = tensors[i++];
  if (has_pair) out.pair = tensors[i++];
  return out;
}

}  // namespace dgm::models
