// log and cos that give the same bits on the CPU and on the GPU.
//
// The C library's log and cos (glibc on the CPU, CUDA's libdevice on the GPU)
// are different programs: both are accurate to about an ulp, but not to the
// same bits. The Box-Muller normal sampler (tensor/philox.h) needs one
// log and one cos per number, and dgm promises that randn on the GPU equals
// randn on the CPU bit for bit, so it uses these two functions instead.
//
// How the same bits come out of two compilers for two processors:
// - Only operations IEEE 754 rounds exactly are used: +, -, *, /, sqrt, fma,
//   and scaling by powers of two. Both processors implement these the same
//   way (round to nearest even, no flush to zero in double).
// - No operation may be changed by the compiler. The one change compilers
//   make without -ffast-math is contraction: a * b + c turned into one
//   fma(a, b, c), which rounds once instead of twice. GCC does it on the CPU
//   (-ffp-contract=fast, with -march=native) and nvcc on the GPU (-fmad=true),
//   each in its own places. So every product here is written either as an
//   explicit fma (rounded once, on both sides) or with mul() (rounded once and
//   never fused: __dmul_rn on the GPU, an empty asm the optimizer cannot see
//   through on the CPU).
//
// Both functions evaluate their series in double-double arithmetic (a value
// held as hi + lo, about 106 bits) and round once at the end, so the result is
// the correctly rounded one unless the exact value lies within ~2^-70 of
// halfway between two doubles (one cos in 3 million Box-Muller inputs checked
// against quad precision, no log). glibc rounds about 1 log in 1600 and 1 cos in 700
// of those inputs the other way, so moving randn from glibc to these changed
// about 0.15% of float64 normals by one ulp (and no float32 normal in 4 million).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

#include "tensor/scalar_math.h"  // DGM_HD

namespace dgm::portable {

// a * b rounded once, and never fused with an addition that follows.
DGM_HD inline double mul(double a, double b) {
#if defined(__CUDA_ARCH__)
  return __dmul_rn(a, b);
#else
  double p = a * b;
#if defined(__x86_64__) || defined(__i386__)
  __asm__("" : "+x"(p));  // p now comes from "somewhere": it cannot be merged into an fma
#elif defined(__aarch64__)
  __asm__("" : "+w"(p));
#else
  volatile double v = p;
  p = v;
#endif
  return p;
#endif
}

// The bits of a double and back.
DGM_HD inline uint64_t to_bits(double x) {
#if defined(__CUDA_ARCH__)
  return static_cast<uint64_t>(__double_as_longlong(x));
#else
  uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
#endif
}
DGM_HD inline double from_bits(uint64_t b) {
#if defined(__CUDA_ARCH__)
  return __longlong_as_double(static_cast<long long>(b));
#else
  double x;
  std::memcpy(&x, &b, sizeof x);
  return x;
#endif
}

// fma(a, b, c) = a * b + c rounded once.
DGM_HD inline double fma(double a, double b, double c) { return ::fma(a, b, c); }

// ---- double-double arithmetic: a number as hi + lo with |lo| <= ulp(hi) / 2 ----

struct DD {
  double hi, lo;
};

// a + b exactly, as the rounded sum and its error (Knuth's TwoSum).
DGM_HD inline DD two_sum(double a, double b) {
  const double s = a + b, bb = s - a;
  return {s, (a - (s - bb)) + (b - bb)};
}

// a + b exactly, when |a| >= |b| or a is zero (Dekker's FastTwoSum).
DGM_HD inline DD fast_two_sum(double a, double b) {
  const double s = a + b;
  return {s, b - (s - a)};
}

// a * b exactly: the rounded product and its error, which fma computes exactly.
DGM_HD inline DD two_prod(double a, double b) {
  const double p = mul(a, b);
  return {p, fma(a, b, -p)};
}

DGM_HD inline DD dd_add(DD a, DD b) {
  DD s = two_sum(a.hi, b.hi);
  return fast_two_sum(s.hi, s.lo + (a.lo + b.lo));
}

// (a.hi + a.lo)(b.hi + b.lo), dropping a.lo * b.lo (below 2^-104 relative).
DGM_HD inline DD dd_mul(DD a, DD b) {
  DD p = two_prod(a.hi, b.hi);
  return fast_two_sum(p.hi, fma(a.hi, b.lo, fma(a.lo, b.hi, p.lo)));
}

// One Horner step c + z a in double-double, for |c| >= |z a| (true of every
// step below: the series' terms shrink), which lets the sum skip a two_sum.
DGM_HD inline DD dd_horner(DD c, DD z, DD a) {
  const DD p = two_prod(z.hi, a.hi);
  const double p_lo = fma(z.hi, a.lo, fma(z.lo, a.hi, p.lo));
  const DD s = fast_two_sum(c.hi, p.hi);
  return fast_two_sum(s.hi, s.lo + (c.lo + p_lo));
}

// ---- log ----

// log(x) for x > 0: x = m 2^e with m in [sqrt(1/2), sqrt(2)), f = m - 1, and
//   log(x) = e ln 2 + log((1 + s) / (1 - s)) = e ln 2 + 2 s (1 + s^2/3 + s^4/5 + ...)
// with s = f / (2 + f), |s| <= 0.1716, so s^2 <= 0.0295 and 14 terms reach 2^-73.
DGM_HD inline double log(double x) {
  if (!(x > 0)) return x == 0 ? -HUGE_VAL : NAN;  // log(0) = -inf; negative or NaN
  if (x == HUGE_VAL) return x;
  int e = 0;
  if (x < 0x1p-1022) {  // subnormal: scale into the normal range first (exact)
    x = mul(x, 0x1p54);
    e = -54;
  }
  // x = m 2^e with m in [1, 2): the exponent field, and the significand under exponent 0.
  const uint64_t bits = to_bits(x);
  e += static_cast<int>(bits >> 52) - 1023;
  double m = from_bits((bits & 0x000fffffffffffffull) | 0x3ff0000000000000ull);
  if (m > 0x1.6a09e667f3bcdp+0) {  // sqrt(2): use m / 2 in [sqrt(1/2), 1) (exact)
    m = mul(m, 0.5);
    e += 1;
  }
  const double f = m - 1.0;  // exact (Sterbenz: m in [0.5, 2])

  // s = f / (2 + f) to ~106 bits: the remainder f - sh (2 + f) of the division is exact with fma.
  const DD den = two_sum(2.0, f);
  const double sh = f / den.hi;
  const double sl = fma(-sh, den.lo, fma(-sh, den.hi, f)) / den.hi;
  const DD s = fast_two_sum(sh, sl);
  const DD z = dd_mul(s, s);

  // 1/7 + z/9 + ... + z^10/27 in double (each term below 2^-18 of the sum's
  // leading 1, so double rounding costs less than 2^-71), then the leading
  // three terms in double-double.
  double t = 0x1.2f684bda12f68p-5;         // 1/27
  t = fma(t, z.hi, 0x1.47ae147ae147bp-5);  // 1/25
  t = fma(t, z.hi, 0x1.642c8590b2164p-5);  // 1/23
  t = fma(t, z.hi, 0x1.8618618618618p-5);  // 1/21
  t = fma(t, z.hi, 0x1.af286bca1af28p-5);  // 1/19
  t = fma(t, z.hi, 0x1.e1e1e1e1e1e1ep-5);  // 1/17
  t = fma(t, z.hi, 0x1.1111111111111p-4);  // 1/15
  t = fma(t, z.hi, 0x1.3b13b13b13b14p-4);  // 1/13
  t = fma(t, z.hi, 0x1.745d1745d1746p-4);  // 1/11
  t = fma(t, z.hi, 0x1.c71c71c71c71cp-4);  // 1/9
  t = fma(t, z.hi, 0x1.2492492492492p-3);  // 1/7
  DD a{t, 0.0};
  a = dd_horner(DD{0x1.999999999999ap-3, -0x1.999999999999ap-57}, z, a);  // 1/5
  a = dd_horner(DD{0x1.5555555555555p-2, 0x1.5555555555555p-56}, z, a);   // 1/3
  a = dd_horner(DD{1.0, 0.0}, z, a);
  DD log_m = dd_mul(s, a);
  log_m = DD{log_m.hi + log_m.hi, log_m.lo + log_m.lo};  // times 2: exact

  // e ln 2, with ln 2 = L1 + L2 to 2^-110; e L1 is exact as a two_prod.
  const double ed = static_cast<double>(e);
  DD e_ln2 = two_prod(ed, 0x1.62e42fefa39efp-1);
  e_ln2.lo = fma(ed, 0x1.abc9e3b39803fp-56, e_ln2.lo);
  return dd_add(e_ln2, log_m).hi;
}

// ---- cos ----

namespace detail {

// sin(y) for |y| <= pi/4, y = y.hi + y.lo and z = y^2:
//   y (1 - z/3! + z^2/5! - z^3/7! + ... - z^11/23!)
// The terms from z^4/9! on are below 2^-21 of the leading 1: double suffices.
DGM_HD inline double sin_reduced(DD y, DD z) {
  double t = -0x1.761b41316381ap-75;         // -1/23!
  t = fma(t, z.hi, 0x1.71b8ef6dcf572p-66);   // 1/21!
  t = fma(t, z.hi, -0x1.2f49b46814157p-57);  // -1/19!
  t = fma(t, z.hi, 0x1.952c77030ad4ap-49);   // 1/17!
  t = fma(t, z.hi, -0x1.ae7f3e733b81fp-41);  // -1/15!
  t = fma(t, z.hi, 0x1.6124613a86d09p-33);   // 1/13!
  t = fma(t, z.hi, -0x1.ae64567f544e4p-26);  // -1/11!
  t = fma(t, z.hi, 0x1.71de3a556c734p-19);   // 1/9!
  DD a{t, 0.0};
  a = dd_horner(DD{-0x1.a01a01a01a01ap-13, -0x1.a01a01a01a01ap-73}, z, a);  // -1/7!
  a = dd_horner(DD{0x1.1111111111111p-7, 0x1.1111111111111p-63}, z, a);     // 1/5!
  a = dd_horner(DD{-0x1.5555555555555p-3, -0x1.5555555555555p-57}, z, a);   // -1/3!
  a = dd_horner(DD{1.0, 0.0}, z, a);
  return dd_mul(y, a).hi;
}

// cos(y) for |y| <= pi/4, z = y^2: 1 - z/2! + z^2/4! - ... - z^11/22!
// (the terms from z^5/10! on are below 2^-25 of the leading 1).
DGM_HD inline double cos_reduced(DD z) {
  double t = -0x1.0ce396db7f853p-70;         // -1/22!
  t = fma(t, z.hi, 0x1.e542ba4020225p-62);   // 1/20!
  t = fma(t, z.hi, -0x1.6827863b97d97p-53);  // -1/18!
  t = fma(t, z.hi, 0x1.ae7f3e733b81fp-45);   // 1/16!
  t = fma(t, z.hi, -0x1.93974a8c07c9dp-37);  // -1/14!
  t = fma(t, z.hi, 0x1.1eed8eff8d898p-29);   // 1/12!
  t = fma(t, z.hi, -0x1.27e4fb7789f5cp-22);  // -1/10!
  DD a{t, 0.0};
  a = dd_horner(DD{0x1.a01a01a01a01ap-16, 0x1.a01a01a01a01ap-76}, z, a);   // 1/8!
  a = dd_horner(DD{-0x1.6c16c16c16c17p-10, 0x1.f49f49f49f49fp-65}, z, a);  // -1/6!
  a = dd_horner(DD{0x1.5555555555555p-5, 0x1.5555555555555p-59}, z, a);    // 1/4!
  a = dd_horner(DD{-0.5, 0.0}, z, a);
  return dd_horner(DD{1.0, 0.0}, z, a).hi;
}

}  // namespace detail

// cos(x) for |x| < 2^20, NaN outside (dgm calls it on [0, 2 pi)): x = n pi/2 + y with
// |y| <= pi/4, then cos(x) = cos(y), -sin(y), -cos(y), sin(y) for n mod 4 =
// 0, 1, 2, 3. pi/2 = P1 + P2 + P3 + P4 (33, 33, 53 and 53 bits), so n P1 and
// n P2 are exact and x - n pi/2 comes out to ~2^-150 even when x is within
// 2^-60 of a multiple of pi/2 (where cos(x) is tiny and needs every bit of y).
DGM_HD inline double cos(double x) {
  if (!(::fabs(x) < 0x1p20)) return NAN;                        // n P1 would not be exact
  const double n = ::floor(fma(x, 0x1.45f306dc9c883p-1, 0.5));  // nearest integer to x 2/pi
  const double r = x - mul(n, 0x1.921fb54400000p+0);            // x - n P1: exact (Sterbenz)
  const DD a = two_sum(r, -mul(n, 0x1.0b4611a600000p-34));      // - n P2 (n P2 exact)
  const DD p3 = two_prod(n, 0x1.3198a2e037073p-69);             // n P3 exactly
  const DD b = two_sum(a.hi, -p3.hi);
  const double lo = ((a.lo + b.lo) - p3.lo) - mul(n, 0x1.129024e088a68p-123);  // - n P4
  const DD y = fast_two_sum(b.hi, lo);
  const DD z = dd_mul(y, y);
  const int64_t q = static_cast<int64_t>(n) & 3;  // n mod 4 (two's complement: right for n < 0 too)
  switch (q) {
    case 0:
      return detail::cos_reduced(z);
    case 1:
      return -detail::sin_reduced(y, z);
    case 2:
      return -detail::cos_reduced(z);
    default:
      return detail::sin_reduced(y, z);
  }
}

}  // namespace dgm::portable
