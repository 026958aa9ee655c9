// A Storage is one buffer of bytes on one device. Several tensors (views) may
// share it; it goes back to the allocator when the last one lets go.
#pragma once
#include <cstddef>
#include <memory>

#include "tensor/device.h"

namespace dgm {

struct Storage {
  void* data = nullptr;
  size_t nbytes = 0;
  Device device;

  // Allocates from the caching allocator of `device`.
  Storage(size_t nbytes, Device device);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
};

}  // namespace dgm
