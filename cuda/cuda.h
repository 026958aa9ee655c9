// The CUDA backend's public face: is a GPU there, and what the caching
// allocator holds. Everything else happens through tensors: x.to(dgm::kCUDA),
// x.cpu(), and every op on CUDA tensors runs the kernels in cuda/.
//
// In a build without CUDA these still exist: is_available() is false and the
// statistics stay zero.
#pragma once
#include <cstdint>
#include <string>

namespace dgm::cuda {

// True when dgm was built with CUDA and a GPU can be used.
bool is_available();
// True when dgm was built with the CUDA backend (a GPU may still be missing).
bool is_built();
int device_count();
// Why is_available() is false ("built without CUDA", the driver's error, ...); "" when it is true.
std::string unavailable_reason();
// The name of device 0, e.g. "NVIDIA H100 80GB HBM3".
std::string device_name();
// Waits for all work queued on the GPU (kernels run asynchronously).
void synchronize();

// The caching allocator keeps freed blocks for reuse instead of returning
// them to the driver, because cudaMalloc/cudaFree are slow and synchronize.
struct MemoryStats {
  int64_t num_device_allocs = 0;  // cudaMalloc calls made
  int64_t num_device_frees = 0;   // cudaFree calls made (empty_cache, retry after OOM)
  int64_t num_requests = 0;       // blocks handed out
  int64_t num_cache_hits = 0;     // ... of which came from the cache
  int64_t allocated_bytes = 0;    // in use by tensors now (block sizes, rounded)
  int64_t peak_allocated_bytes = 0;
  int64_t reserved_bytes = 0;  // obtained from cudaMalloc: in use + cached
  int64_t peak_reserved_bytes = 0;
};
MemoryStats memory_stats();
// Returns every cached (unused) block to the driver.
void empty_cache();
void reset_peak_memory_stats();

}  // namespace dgm::cuda
