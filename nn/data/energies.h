// The unnormalized 2-D target densities p(z) = exp(-U(z)) / Z of Rezende &
// Mohamed 2015, "Variational Inference with Normalizing Flows", Table 1 (the
// course's seminar 3 fits planar flows to them by reverse KL), and a ring:
//
//   w1(z) = sin(2 pi z1 / 4),  w2(z) = 3 exp(-1/2 ((z1 - 1) / 0.6)^2),  w3(z) = 3 sigma((z1 - 1) / 0.3)
//   "u1"    U = 1/2 ((|z| - 2) / 0.4)^2 - log(exp(-1/2 ((z1 - 2) / 0.6)^2) + exp(-1/2 ((z1 + 2) / 0.6)^2))
//   "u2"    U = 1/2 ((z2 - w1) / 0.4)^2
//   "u3"    U = -log(exp(-1/2 ((z2 - w1) / 0.35)^2) + exp(-1/2 ((z2 - w1 + w2) / 0.35)^2))
//   "u4"    U = -log(exp(-1/2 ((z2 - w1) / 0.4)^2) + exp(-1/2 ((z2 - w1 + w3) / 0.35)^2))
//   "ring"  U = 1/2 ((|z| - 2) / 0.4)^2        (the ring of radius 2 of U1 without its two lobes)
//
// U2-U4 do not depend on z1 beyond the wiggle w1, so exp(-U) has infinite
// mass over R^2, and a flow trained by reverse KL follows the wave out of any
// picture. Every target here is therefore confined to the box [-4,4]^2 (the
// paper's pictures) by a steep wall added to U outside it,
//
//   U_box(z) = U(z) + 1/2 sum_i (max(|z_i| - 4, 0) / 0.5)^2,
//
// zero inside the box, so p = exp(-U_box)/Z is a proper density and
// KL(q || p) = E_q[log q + U_box] + log Z is exact wherever q puts its mass.
// Z is integrated, and samples drawn, on [-8,8]^2: beyond it the wall is
// above 32 (exp(-32) ~ 1e-14, left out). (A steeper wall, width 0.1, slowed
// reverse-KL training: the first draws of a flow land far out.)
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tensor/random.h"
#include "tensor/tensor.h"

namespace dgm::nn::data {

// The box [-kEnergyBox, kEnergyBox]^2 the wall confines every target to, and
// the one [-kEnergyDomain, kEnergyDomain]^2 they are integrated and sampled on.
constexpr double kEnergyBox = 4.0;
constexpr double kEnergyDomain = 8.0;

// "u1", "u2", "u3", "u4", "ring".
std::vector<std::string> energy_names();

// U_box(z) of the energy `name` at z (n,2), any floating dtype, written with
// autograd ops (differentiable in z): (n). An unknown name or a z that is not
// (n,2) is a dgm::Error.
Tensor energy(const std::string& name, const Tensor& z);

// log Z = log of the integral of exp(-U_box) over [-8,8]^2, by the midpoint
// rule on a 3200 x 3200 grid in float64 (cell 0.005; computed once per name, then cached).
double energy_log_normalizer(const std::string& name);

// n exact draws of exp(-U_box)/Z on [-8,8]^2, (n,2) float32, by rejection:
// proposals uniform on [-8,8]^2, each kept with probability exp(-U_box)/M,
// where M bounds exp(-U_box) (1 for u2 and ring, 2 for the others: a sum of
// two exponentials of non-positive numbers is at most 2; the wall is >= 0).
Tensor sample_energy(const std::string& name, int64_t n, Generator* gen = nullptr);

}  // namespace dgm::nn::data
