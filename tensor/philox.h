// Philox4x32-10, the counter-based random number generator of Salmon, Moraes,
// Dror and Shaw, "Parallel random numbers: as easy as 1, 2, 3" (SC 2011).
//
// A counter-based generator is a keyed bijection: block(counter, key) gives four
// random 32-bit words, and any counter can be evaluated on its own, in any
// order, on any thread or GPU lane. dgm draws element i of a tensor from
//   counter = (offset + i, 0, 0)   key = seed
// so a draw is the same whatever the number of threads, and a CUDA kernel that
// calls these same functions reproduces the CPU's numbers bit for bit.
//
// Everything here is header-only and marked DGM_HD so it compiles for the GPU.
#pragma once
#include <cmath>
#include <cstdint>

#include "tensor/portable_math.h"
#include "tensor/scalar_math.h"  // DGM_HD

namespace dgm::philox {

struct Block {
  uint32_t x[4];
};

// Multipliers and Weyl key increments of Philox4x32 (the paper, Table 2).
constexpr uint32_t kM0 = 0xD2511F53u;
constexpr uint32_t kM1 = 0xCD9E8D57u;
constexpr uint32_t kW0 = 0x9E3779B9u;  // golden ratio
constexpr uint32_t kW1 = 0xBB67AE85u;  // sqrt(3) - 1
constexpr int kRounds = 10;

// One round: two 32x32->64 multiplies, their halves xored with the other words
// and the round key, and a fixed permutation of the four words.
DGM_HD inline Block philox_round(Block c, uint32_t k0, uint32_t k1) {
  const uint64_t p0 = static_cast<uint64_t>(kM0) * c.x[0];
  const uint64_t p1 = static_cast<uint64_t>(kM1) * c.x[2];
  const uint32_t hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
  const uint32_t hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
  return Block{{hi1 ^ c.x[1] ^ k0, lo1, hi0 ^ c.x[3] ^ k1, lo0}};
}

// Philox4x32-10: ten rounds, the key bumped by (W0, W1) between rounds.
DGM_HD inline Block philox4x32_10(Block counter, uint32_t k0, uint32_t k1) {
  Block c = counter;
  for (int r = 0; r < kRounds; ++r) {
    if (r > 0) {
      k0 += kW0;
      k1 += kW1;
    }
    c = philox_round(c, k0, k1);
  }
  return c;
}

// The four words for element `index` of a draw from (seed, offset).
DGM_HD inline Block block_at(uint64_t seed, uint64_t offset, uint64_t index) {
  const uint64_t n = offset + index;
  Block counter{{static_cast<uint32_t>(n), static_cast<uint32_t>(n >> 32), 0u, 0u}};
  return philox4x32_10(counter, static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32));
}

// ---- from bits to numbers ----

// Uniform on [0, 1): the top 24 bits scaled by 2^-24 (every value exact in
// float; the largest is 1 - 2^-24, never 1).
DGM_HD inline float uniform_float(uint32_t w) { return static_cast<float>(w >> 8) * 5.9604644775390625e-8f; }

// Uniform on [0, 1) with 53 random bits (largest 1 - 2^-53).
DGM_HD inline double uniform_double(uint32_t hi, uint32_t lo) {
  const uint64_t bits = ((static_cast<uint64_t>(hi) << 32) | lo) >> 11;
  return static_cast<double>(bits) * 1.1102230246251565404e-16;  // 2^-53
}

DGM_HD inline uint64_t bits64(uint32_t hi, uint32_t lo) { return (static_cast<uint64_t>(hi) << 32) | lo; }

// One standard normal from one block by Box-Muller: u1 from words 0-1, u2 from
// words 2-3. 1 - u1 lies in (0, 1], so the log is finite (|z| <= 8.58).
// log and cos are dgm's own (tensor/portable_math.h), correctly rounded but
// for rare cases, so that the GPU computes the very same bits as the CPU.
DGM_HD inline double normal_from(const Block& b) {
  const double u1 = 1.0 - uniform_double(b.x[0], b.x[1]);
  const double u2 = uniform_double(b.x[2], b.x[3]);
  return portable::mul(std::sqrt(-2.0 * portable::log(u1)), portable::cos(portable::mul(6.283185307179586477, u2)));
}

// ---- per-element samplers (what a fill loop or a CUDA kernel calls) ----

// Uniform on [0, 1) as T (float: 24 random bits, double: 53).
template <typename T>
DGM_HD inline T uniform(uint64_t seed, uint64_t offset, uint64_t index) {
  const Block b = block_at(seed, offset, index);
  if constexpr (sizeof(T) == 4)
    return uniform_float(b.x[0]);
  else
    return static_cast<T>(uniform_double(b.x[0], b.x[1]));
}

DGM_HD inline double normal(uint64_t seed, uint64_t offset, uint64_t index) {
  return normal_from(block_at(seed, offset, index));
}

// Integer in [0, range) for 0 < range: 64 random bits modulo range (the bias is
// below range / 2^64, far too small to detect).
DGM_HD inline uint64_t below(uint64_t range, uint64_t seed, uint64_t offset, uint64_t index) {
  const Block b = block_at(seed, offset, index);
  return bits64(b.x[0], b.x[1]) % range;
}

// 1 with probability p (u < p with a 53-bit u: exact for p = 0 and p = 1).
DGM_HD inline bool bernoulli(double p, uint64_t seed, uint64_t offset, uint64_t index) {
  const Block b = block_at(seed, offset, index);
  return uniform_double(b.x[0], b.x[1]) < p;
}

}  // namespace dgm::philox
