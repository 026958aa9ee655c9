// A request the system cannot satisfy is a dgm::Error naming the bytes, the
// dtype and the shape, never std::bad_alloc. 2^50 bytes (1 PiB) is more than
// the 2^47-byte user address space of x86-64 and AArch64 Linux, so the system
// refuses it at once and no memory is touched.
#include <cstdint>
#include <new>

#include "tests/helpers.h"

// Under AddressSanitizer a too-large malloc aborts unless the allocator may return null (as the system's does).
#if defined(__SANITIZE_ADDRESS__)
extern "C" const char* __asan_default_options() { return "allocator_may_return_null=1"; }
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
extern "C" const char* __asan_default_options() { return "allocator_may_return_null=1"; }
#endif
#endif

using namespace dgm;

namespace {
constexpr int64_t k2_47 = int64_t{1} << 47;  // float64 elements: 2^50 bytes
}

TEST_CASE("the CPU allocator reports an impossible request as out of memory", "[allocator]") {
  const MemoryStats before = cpu_memory_stats();
  REQUIRE_THROWS_AS(cpu_allocator::allocate(size_t{1} << 50), OutOfMemoryError);
  REQUIRE_THROWS_WITH(cpu_allocator::allocate(size_t{1} << 50),
                      "out of memory allocating 1125899906842624 bytes on cpu");
  const MemoryStats after = cpu_memory_stats();
  CHECK(after.bytes_in_use == before.bytes_in_use);
  CHECK(after.allocations == before.allocations);
  CHECK(after.peak_bytes_in_use == before.peak_bytes_in_use);  // a refused request was never in use
}

TEST_CASE("factories name the dtype and shape when memory runs out", "[allocator]") {
  REQUIRE_THROWS_WITH(empty({k2_47}, kFloat64),
                      "out of memory allocating 1125899906842624 bytes for a float64 tensor "
                      "of shape (140737488355328) on cpu");
  REQUIRE_THROWS_WITH(zeros({int64_t{1} << 24, int64_t{1} << 24}, kFloat32),
                      "out of memory allocating 1125899906842624 bytes for a float32 tensor of shape "
                      "(16777216,16777216) on cpu");
  bool bad_alloc = false;
  try {
    ones({k2_47}, kInt64);
  } catch (const std::bad_alloc&) {
    bad_alloc = true;
  } catch (const Error&) {
  }
  CHECK_FALSE(bad_alloc);
  // The allocator still serves ordinary requests afterwards.
  CHECK(ones({4}).sum().item<float>() == 4.0f);
}
