// A Storage is one buffer of bytes on one device. Several tensors (views) may
// share it; it goes back to the allocator when the last one lets go.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "tensor/device.h"

namespace dgm {

struct Storage {
  void* data = nullptr;
  size_t nbytes = 0;
  Device device;
  // How many times the buffer was written in place, shared by every view of
  // it (and by detach()). The kernel front doors that write into an existing
  // tensor bump it; autograd compares it with what a backward saw at record
  // time (the rule: autograd/engine.cpp, check_saved_versions).
  std::atomic<uint64_t> version{0};

  // Allocates from the caching allocator of `device`.
  Storage(size_t nbytes, Device device);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
};

}  // namespace dgm
