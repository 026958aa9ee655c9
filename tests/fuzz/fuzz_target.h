// Shared by the libFuzzer targets in tests/fuzz (scripts/fuzz builds and runs
// them): a dgm::Error is the expected answer to bad input; anything else (a
// crash, a sanitizer report, another exception escaping) is a finding.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tensor/allocator.h"
#include "tensor/error.h"

namespace dgm::fuzz {

template <typename F>
void expect_only_dgm_errors(F&& f) {
  try {
    f();
  } catch (const dgm::Error&) {
    // bad input, reported as it should be
  }
  // The caching allocator keeps every freed size class; inputs of ever new sizes would pile them up.
  dgm::cpu_empty_cache();
}

inline std::string as_string(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

inline std::vector<uint8_t> as_bytes(const uint8_t* data, size_t size) {
  return std::vector<uint8_t>(data, data + size);
}

// Readers get at most this much from gunzip here (libFuzzer's malloc limit is 2 GiB).
constexpr size_t kFuzzMaxInflated = size_t{64} << 20;

}  // namespace dgm::fuzz
