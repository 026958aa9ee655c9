// Containers, as torch.nn: Sequential chains one-tensor modules; ModuleList
// just holds modules (their parameters are registered) for a hand-written
// forward. Children are named "0", "1", ... in order.
//
//   auto net = std::make_shared<nn::Sequential>(std::make_shared<nn::Linear>(4, 8), std::make_shared<nn::ReLU>());
//   net->push_back(std::make_shared<nn::Linear>(8, 2));
//   Tensor y = net->forward(x);   // (*net)[0] is the first Linear
#pragma once
#include <memory>
#include <vector>

#include "nn/module.h"

namespace dgm::nn {

class ModuleList : public Module {
 public:
  ModuleList() = default;
  template <typename... Ms>
  explicit ModuleList(std::shared_ptr<Ms>... modules) {
    (push_back(std::move(modules)), ...);
  }
  void push_back(std::shared_ptr<Module> module);
  std::shared_ptr<Module> operator[](int64_t index) const;  // negative counts from the end
  // The module at index as its concrete type (throws if it is not an M).
  template <typename M>
  std::shared_ptr<M> at(int64_t index) const {
    auto m = std::dynamic_pointer_cast<M>((*this)[index]);
    DGM_CHECK(m != nullptr, name(), ".at: module ", index, " is a ", (*this)[index]->name(),
              ", not the type asked for");
    return m;
  }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }
  std::string name() const override { return "ModuleList"; }

 private:
  std::vector<std::shared_ptr<Module>> items_;
};

// forward(x) = m_n(...m_1(m_0(x))).
class Sequential : public ModuleList {
 public:
  Sequential() = default;
  template <typename... Ms>
  explicit Sequential(std::shared_ptr<Ms>... modules) : ModuleList(std::move(modules)...) {}
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Sequential"; }
};

}  // namespace dgm::nn
