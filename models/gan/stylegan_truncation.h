// The truncation trick of seminar 7 (StyleGAN), two ways to trade diversity for quality:
//   truncated normal noise: z_j ~ N(0, 1) conditioned on |z_j| <= bound (the seminar's scipy truncnorm.rvs(-b, b)),
//     drawn here by rejection: every value outside the bound is drawn again until none is;
//   w-mean scaling: w' = w_mean + psi (w - w_mean), with w_mean the mean of mapping(z) over many z ~ N(0, I)
//     (psi = 1: w itself, psi = 0: w_mean for every sample).
#pragma once
#include "tensor/random.h"
#include "tensor/tensor.h"

namespace dgm::models::gan {

// Draws of N(0, 1) truncated to [-bound, bound], float32 on the CPU unless `options` says otherwise.
Tensor truncated_normal(const Shape& shape, double bound, Generator* gen = nullptr, TensorOptions options = {});

// w_mean + psi (w - w_mean); w (B, w_dim), w_mean (w_dim) or (1, w_dim).
Tensor truncate_w(const Tensor& w, const Tensor& w_mean, double psi);

}  // namespace dgm::models::gan
