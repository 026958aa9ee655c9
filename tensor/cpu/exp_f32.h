// exp in float32 for loops that must vectorize: glibc's expf is a call per
// element. Used by the fused SiLU and the fused attention's softmax.
#pragma once
#include <bit>
#include <cstdint>
#include <limits>

namespace dgm::cpu {

// exp(t) in float32 without branches or calls: t = n ln2 + r with n = round(t / ln2), |r| <= ln2 / 2, and
// exp(t) = 2^n (1 + r + r^2/2! + ... + r^6/6!) (the series' remainder r^7/7! < 1.3e-7 relative); inf above 88.72,
// 0 below -87.3, NaN for NaN. Measured against float64 exp on [-87.3, 88.72] in steps of 1e-4: 2.3e-7 relative.
inline float exp_f32(float t) {
  const bool in_range = (t >= -87.3f) & (t <= 88.72f);  // false for NaN too
  const float u = in_range ? t : 0.0f;
  const float n = (u * 1.44269504f + 12582912.0f) - 12582912.0f;  // rounded to an integer (1.5 2^23), in [-126, 128]
  const float r = (u - n * 0.693145752f) - n * 1.42860677e-6f;    // ln 2 in two parts, the first exact times n
  float p = 1.0f / 720;                                           // Horner: 1 + r (1 + r (1/2 + r (... r / 720)))
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const int32_t ni = static_cast<int32_t>(n), half = ni / 2;  // 2^n = 2^half 2^(n - half), each a normal float
  const float scaled = p * std::bit_cast<float>((half + 127) << 23) * std::bit_cast<float>((ni - half + 127) << 23);
  const float out = t > 88.72f ? std::numeric_limits<float>::infinity() : (t < -87.3f ? 0.0f : scaled);
  return t != t ? t : out;
}

}  // namespace dgm::cpu
