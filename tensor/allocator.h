// The CPU caching allocator. Fresh memory is expensive here (the first touch of
// a page costs a page fault, ~2 ms per MiB), so freed buffers are kept in
// per-size free lists and handed out again instead of going back to the system.
// Sizes are rounded up to a size class: multiples of 64 bytes for small
// buffers, then four classes per power of two (waste at most 25%).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "tensor/error.h"

namespace dgm {

struct MemoryStats {
  int64_t allocations = 0;         // requests served
  int64_t system_allocations = 0;  // requests that had to ask the system (cache misses)
  int64_t bytes_in_use = 0;        // bytes handed out and not yet freed (rounded sizes)
  int64_t peak_bytes_in_use = 0;
  int64_t bytes_cached = 0;     // bytes kept in free lists for reuse
  int64_t bytes_allocated = 0;  // bytes handed out so far (rounded sizes; the profiler's per-op count)
};

// The system could not give the memory (never std::bad_alloc): "out of memory
// allocating N bytes on cpu". dgm::empty catches it to name the tensor's dtype and shape.
class OutOfMemoryError : public Error {
 public:
  OutOfMemoryError(const std::string& message, size_t nbytes) : Error(message), nbytes(nbytes) {}
  size_t nbytes;
};

namespace cpu_allocator {
void* allocate(size_t nbytes);  // OutOfMemoryError when the system has no such block
void deallocate(void* ptr, size_t nbytes);
size_t round_size(size_t nbytes);
}  // namespace cpu_allocator

MemoryStats cpu_memory_stats();
void cpu_reset_peak_memory_stats();
void cpu_empty_cache();  // return every cached buffer to the system

}  // namespace dgm
