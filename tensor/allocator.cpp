#include "tensor/allocator.h"

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

namespace dgm {
namespace {

constexpr size_t kAlignment = 64;  // a cache line; also what AVX-512 loads like

struct Cache {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<void*>> free_lists;  // size class -> free buffers
  MemoryStats stats;
};

Cache& cache() {
  static Cache* c = new Cache();  // never destroyed: tensors may outlive static destructors
  return *c;
}

}  // namespace

size_t cpu_allocator::round_size(size_t n) {
  // Above 2^62 bytes no block can exist (user address space is 2^47): leave the size as is, so the rounding
  // below cannot wrap around and the system's refusal reports the size asked for.
  if (n > (size_t{1} << 62)) return n;
  if (n <= 4096) return (n + 63) / 64 * 64 + (n == 0 ? 64 : 0);
  size_t p = 4096;
  while (p * 2 <= n) p *= 2;  // p <= n < 2p
  size_t step = p / 4;
  return (n + step - 1) / step * step;
}

void* cpu_allocator::allocate(size_t nbytes) {
  size_t size = round_size(nbytes);
  Cache& c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    c.stats.allocations++;
    auto it = c.free_lists.find(size);
    if (it != c.free_lists.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      c.stats.bytes_cached -= size;
      c.stats.bytes_in_use += size;
      c.stats.bytes_allocated += size;
      c.stats.peak_bytes_in_use = std::max(c.stats.peak_bytes_in_use, c.stats.bytes_in_use);
      return p;
    }
    c.stats.system_allocations++;
  }
  void* p = std::aligned_alloc(kAlignment, size);
  if (!p) {
    cpu_empty_cache();
    p = std::aligned_alloc(kAlignment, size);
  }
  std::lock_guard<std::mutex> lock(c.mutex);
  if (!p) {  // the statistics count only what was handed out
    c.stats.allocations--;
    c.stats.system_allocations--;
    throw OutOfMemoryError(detail::concat("out of memory allocating ", nbytes, " bytes on cpu"), nbytes);
  }
  c.stats.bytes_in_use += size;
  c.stats.bytes_allocated += size;
  c.stats.peak_bytes_in_use = std::max(c.stats.peak_bytes_in_use, c.stats.bytes_in_use);
  return p;
}

void cpu_allocator::deallocate(void* ptr, size_t nbytes) {
  if (!ptr) return;
  size_t size = round_size(nbytes);
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  c.free_lists[size].push_back(ptr);
  c.stats.bytes_in_use -= size;
  c.stats.bytes_cached += size;
}

MemoryStats cpu_memory_stats() {
  std::lock_guard<std::mutex> lock(cache().mutex);
  return cache().stats;
}

void cpu_reset_peak_memory_stats() {
  std::lock_guard<std::mutex> lock(cache().mutex);
  cache().stats.peak_bytes_in_use = cache().stats.bytes_in_use;
}

void cpu_empty_cache() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  for (auto& [size, list] : c.free_lists)
    for (void* p : list) std::free(p);
  c.free_lists.clear();
  c.stats.bytes_cached = 0;
}

}  // namespace dgm
