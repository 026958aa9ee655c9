#include "tensor/backend/dispatch.h"

#include <vector>

namespace dgm::backend {

Device one_device(const char* op, std::initializer_list<const Tensor*> operands,
                  std::initializer_list<const char*> names) {
  const std::vector<const char*> name(names);
  auto describe = [&](const Tensor& t, size_t k) {
    return detail::concat(t.device().str(), " for operand ", k + 1, " (",
                          k < name.size() ? detail::concat(name[k], ", ") : std::string(), "shape ",
                          shape_str(t.shape()), ")");
  };
  const Tensor* first = nullptr;
  size_t first_k = 0, k = 0;
  for (const Tensor* t : operands) {
    if (t->defined()) {
      if (first == nullptr) {
        first = t, first_k = k;
      } else if (t->device() != first->device()) {
        DGM_FAIL(op, ": expected all tensors on one device, got ", describe(*first, first_k), " and ", describe(*t, k));
      }
    }
    ++k;
  }
  return first ? first->device() : Device();
}

}  // namespace dgm::backend
