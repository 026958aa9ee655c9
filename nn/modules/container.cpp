#include "nn/modules/container.h"

namespace dgm::nn {

void ModuleList::push_back(std::shared_ptr<Module> module) {
  DGM_CHECK(module != nullptr, name(), ".push_back: got a null module");
  register_module(std::to_string(items_.size()), module);
  items_.push_back(std::move(module));
}

std::shared_ptr<Module> ModuleList::operator[](int64_t index) const {
  const int64_t n = static_cast<int64_t>(items_.size());
  DGM_CHECK(index >= -n && index < n, name(), ": index ", index, " is out of range for ", n, " modules");
  return items_[index < 0 ? index + n : index];
}

Tensor Sequential::forward(const Tensor& x) {
  Tensor y = x;
  for (const auto& m : *this) y = m->forward(y);
  return y;
}

}  // namespace dgm::nn
