// The CPU caching allocator: reuse of freed buffers, statistics, empty_cache.
#include <cstdint>

#include "tests/helpers.h"

using namespace dgm;

TEST_CASE("size classes round up as documented", "[allocator]") {
  // Multiples of 64 bytes up to 4 KiB, then four classes per power of two.
  CHECK(cpu_allocator::round_size(0) == 64);
  CHECK(cpu_allocator::round_size(1) == 64);
  CHECK(cpu_allocator::round_size(64) == 64);
  CHECK(cpu_allocator::round_size(65) == 128);
  CHECK(cpu_allocator::round_size(4000) == 4032);
  CHECK(cpu_allocator::round_size(4096) == 4096);
  CHECK(cpu_allocator::round_size(4097) == 5120);    // 4096 + 1024
  CHECK(cpu_allocator::round_size(10000) == 10240);  // 8192 + 2048
  CHECK(cpu_allocator::round_size(1 << 20) == (1 << 20));
  for (size_t n : {size_t{1}, size_t{100}, size_t{5000}, size_t{123457}, size_t{3} << 20}) {
    size_t r = cpu_allocator::round_size(n);
    CHECK(r >= n);
    CHECK(r <= n + n / 4 + 64);  // at most 25% waste past 4 KiB
  }
}

TEST_CASE("bytes_allocated counts every request's size class, reused or new", "[allocator]") {
  const MemoryStats before = cpu_memory_stats();
  { Tensor a = empty({100}); }             // 400 bytes: the 448-byte class
  { Tensor b = empty({100}); }             // the same class again, maybe the same buffer
  { Tensor c = empty({5000}, kFloat64); }  // 40000 bytes: 32768 + 8192 = 40960
  const MemoryStats after = cpu_memory_stats();
  CHECK(after.bytes_allocated - before.bytes_allocated == 448 + 448 + 40960);
  CHECK(after.allocations - before.allocations == 3);
}

TEST_CASE("freed buffers are reused", "[allocator]") {
  // An unusual size so that no other test's cached buffer is in its class.
  const Shape shape{12347};
  { Tensor warm = empty(shape); }  // at most one miss, here
  const MemoryStats before = cpu_memory_stats();
  const void* first = nullptr;
  for (int i = 0; i < 100; ++i) {
    Tensor t = empty(shape);
    if (i == 0) first = t.raw_data();
    CHECK(t.raw_data() == first);  // the same buffer comes back each time
  }
  const MemoryStats after = cpu_memory_stats();
  CHECK(after.system_allocations == before.system_allocations);
  CHECK(after.allocations == before.allocations + 100);
  CHECK(after.bytes_in_use == before.bytes_in_use);
}

TEST_CASE("buffers are 64-byte aligned", "[allocator]") {
  for (int64_t n : {1, 3, 17, 1000, 100001}) {
    Tensor t = empty({n}, kFloat64);
    CHECK(reinterpret_cast<uintptr_t>(t.raw_data()) % 64 == 0);
  }
}

TEST_CASE("bytes_in_use and peak follow the live tensors", "[allocator]") {
  const int64_t base = cpu_memory_stats().bytes_in_use;
  cpu_reset_peak_memory_stats();
  CHECK(cpu_memory_stats().peak_bytes_in_use == base);
  {
    Tensor a = empty({1000}, kFloat32);  // 4000 bytes -> class 4032
    CHECK(cpu_memory_stats().bytes_in_use == base + 4032);
    {
      Tensor b = empty({1 << 18}, kFloat32);  // exactly 1 MiB
      CHECK(cpu_memory_stats().bytes_in_use == base + 4032 + (1 << 20));
    }
    CHECK(cpu_memory_stats().bytes_in_use == base + 4032);
    Tensor c = empty({1 << 17}, kFloat32);  // 512 KiB: the peak stays at the 1 MiB moment
    CHECK(cpu_memory_stats().peak_bytes_in_use == base + 4032 + (1 << 20));
  }
  CHECK(cpu_memory_stats().bytes_in_use == base);
  // Views share their storage: no new memory.
  Tensor x = empty({64, 64});
  const int64_t with_x = cpu_memory_stats().bytes_in_use;
  Tensor v = x.t().slice(0, 1, 10).unsqueeze(0);
  CHECK(cpu_memory_stats().bytes_in_use == with_x);
  cpu_reset_peak_memory_stats();
  CHECK(cpu_memory_stats().peak_bytes_in_use == with_x);
}

TEST_CASE("empty_cache returns cached buffers to the system", "[allocator]") {
  const Shape shape{3, 7, 1013};  // 21273 floats = 85092 bytes
  { Tensor t = empty(shape); }
  MemoryStats s = cpu_memory_stats();
  CHECK(s.bytes_cached >= static_cast<int64_t>(cpu_allocator::round_size(85092)));
  cpu_empty_cache();
  s = cpu_memory_stats();
  CHECK(s.bytes_cached == 0);
  // The next request of that size must go to the system again.
  { Tensor t = empty(shape); }
  CHECK(cpu_memory_stats().system_allocations == s.system_allocations + 1);
  CHECK(cpu_memory_stats().bytes_cached == static_cast<int64_t>(cpu_allocator::round_size(85092)));
}
