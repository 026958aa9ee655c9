// The caching device allocator.
//
// cudaMalloc and cudaFree are slow (tens of microseconds) and cudaFree waits
// for the whole GPU, so freed blocks are kept in a cache and handed out again.
// Requests are rounded up to a size class: multiples of 512 bytes below 1 MiB,
// multiples of 2 MiB above. A request takes the smallest cached block of its
// class or larger, but never one more than twice its size (that would waste
// memory). If cudaMalloc runs out of memory, the cache is returned to the
// driver and the call is tried once more before giving up.
//
// Every op runs on the one default stream, so a block freed by an op can be
// reused by the next op at once: the GPU runs them in order.
#include <map>
#include <mutex>
#include <unordered_map>

#include "cuda/cuda.h"
#include "cuda/runtime.h"
#include "tensor/allocator.h"
#include "tensor/backend/backend.h"

namespace dgm::cuda {
namespace {

constexpr size_t kSmallStep = 512;
constexpr size_t kSmallLimit = size_t{1} << 20;
constexpr size_t kLargeStep = size_t{2} << 20;

size_t size_class(size_t n) {
  if (n == 0) n = 1;
  size_t step = n < kSmallLimit ? kSmallStep : kLargeStep;
  return (n + step - 1) / step * step;
}

std::string mib(size_t bytes) { return detail::concat(static_cast<double>(bytes) / (1 << 20), " MiB"); }

struct Cache {
  std::mutex mutex;
  std::multimap<size_t, void*> free_blocks;       // size -> block, cached
  std::unordered_map<void*, size_t> live_blocks;  // block -> size, in use
  MemoryStats stats;

  void release_cached_locked() {
    for (auto& [size, ptr] : free_blocks) {
      cudaFree(ptr);
      stats.reserved_bytes -= static_cast<int64_t>(size);
      ++stats.num_device_frees;
    }
    free_blocks.clear();
  }
};

Cache& cache() {
  static Cache* c = new Cache;  // never destroyed: tensors may outlive static destructors
  return *c;
}

}  // namespace

void* allocate(size_t nbytes, int device_index) {
  DGM_CHECK(is_available(), "allocate: cannot allocate ", nbytes, " bytes on cuda:", device_index, ": ",
            unavailable_reason());
  DGM_CHECK(device_index == 0, "allocate: dgm uses one GPU, cuda:0; got cuda:", device_index);
  const size_t size = size_class(nbytes);
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  ++c.stats.num_requests;
  void* ptr = nullptr;
  auto it = c.free_blocks.lower_bound(size);
  size_t block = size;
  if (it != c.free_blocks.end() && it->first <= 2 * size) {
    block = it->first;
    ptr = it->second;
    c.free_blocks.erase(it);
    ++c.stats.num_cache_hits;
  } else {
    cudaError_t e = cudaMalloc(&ptr, size);
    if (e == cudaErrorMemoryAllocation) {  // give the cache back and try once more
      cudaGetLastError();
      c.release_cached_locked();
      e = cudaMalloc(&ptr, size);
    }
    if (e != cudaSuccess) {
      cudaGetLastError();
      size_t free_b = 0, total_b = 0;
      cudaMemGetInfo(&free_b, &total_b);
      // OutOfMemoryError: dgm::empty adds the dtype and shape of the tensor asked for.
      throw ::dgm::OutOfMemoryError(
          ::dgm::detail::concat("CUDA out of memory: tried to allocate ", mib(size), " (", size,
                                " bytes) on cuda:0; the GPU has ", mib(free_b), " free of ", mib(total_b),
                                "; dgm holds ", mib(c.stats.allocated_bytes), " in tensors (", cudaGetErrorString(e),
                                ")"),
          nbytes);
    }
    ++c.stats.num_device_allocs;
    c.stats.reserved_bytes += static_cast<int64_t>(size);
    c.stats.peak_reserved_bytes = std::max(c.stats.peak_reserved_bytes, c.stats.reserved_bytes);
  }
  c.live_blocks[ptr] = block;
  c.stats.allocated_bytes += static_cast<int64_t>(block);
  c.stats.peak_allocated_bytes = std::max(c.stats.peak_allocated_bytes, c.stats.allocated_bytes);
  return ptr;
}

void deallocate(void* ptr, size_t /*nbytes*/) {
  if (!ptr) return;
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  auto it = c.live_blocks.find(ptr);
  if (it == c.live_blocks.end()) return;  // not ours: never happens
  c.stats.allocated_bytes -= static_cast<int64_t>(it->second);
  c.free_blocks.emplace(it->second, ptr);
  c.live_blocks.erase(it);
}

MemoryStats memory_stats() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  return c.stats;
}

void empty_cache() {
  if (!is_available()) return;
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  c.release_cached_locked();
}

void reset_peak_memory_stats() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  c.stats.peak_allocated_bytes = c.stats.allocated_bytes;
  c.stats.peak_reserved_bytes = c.stats.reserved_bytes;
}

void memcpy_to_device(void* dst, const void* src, size_t nbytes) {
  if (nbytes) DGM_CUDA_CHECK(cudaMemcpy(dst, src, nbytes, cudaMemcpyHostToDevice), "copy to cuda");
}
void memcpy_to_host(void* dst, const void* src, size_t nbytes) {
  if (nbytes) DGM_CUDA_CHECK(cudaMemcpy(dst, src, nbytes, cudaMemcpyDeviceToHost), "copy to cpu");
}

}  // namespace dgm::cuda
