// The course's toy data sets by name, with its train/test splits, for
// `dgm list` and the 2-D / 1-D homeworks and seminars.
//
//   auto d = dgm::nn::data::load_toy_dataset("moons");          // 4000 train, 1000 test
//   auto d = dgm::nn::data::load_toy_dataset("moons", 20000);   // hw5's DDPM size: 16000 / 4000
//   Tensor x = d.train.x, y = d.train.y;                    // (4000,2) float32, (4000) int64
//
// Every set is generated from a Generator seeded with `seed` (nn/data/toy2d.h,
// tensor/random.h), so a name, a size and a seed always give the same points on
// every machine. The first 80 % of the points (floor(0.8 n)) are the train
// split, the rest the test split, as dgm_utils.load_dataset("moons") does
// (COURSE.md §1.0, "split 80/20 (first 80 % train)").
//
// name          default  x                   y
// moons         5000     (n,2) float32       moon id 0/1
//   COURSE.md §1.0 load_dataset("moons"): make_moons(size, noise=0.1); hw4 DSM 5000, hw5 DDPM 20000, S3 flows 10000
// circles       5000     (n,2) float32       circle id 0/1
//   not in COURSE.md: FFJORD's toy (L10-L11 continuous flows), make_circles factor 0.5, noise 0.08
// 8gaussians    20000    (n,2) float32       center id 0..7
//   COURSE.md S6: "8-Gaussians ring: scale 2, var 0.02 (used 0.08), divided by 1.414, 20000 points"
// swissroll     5000     (n,2) float32       undefined
//   not in COURSE.md: FFJORD's swissroll (make_swiss_roll noise 1, seen from above, divided by 5)
// checkerboard  5000     (n,2) float32       undefined
//   not in COURSE.md: FFJORD's checkerboard on [-4,4)^2
// gmm2d         5000     (n,2) float32       component 0/1
//   COURSE.md S8 ncsn.ipynb: "2-D GMM with probs [0.1, 0.9], means ±[5,5], unit variance"
// mixture1d     5000     (n,1) float32       component 0/1
//   COURSE.md S6: "1-D target: mixture pi = [0.7, 0.3], mu = [-3, 3], sigma = 1"
// hist1d        1000     (n,1) int64 0..99   component 0/1
//   COURSE.md S1 Part 1: generate_1d_data, "0.2 ± 0.05, 0.6 ± 0.15, 50/50 quantized to BINS=100, COUNT=1000, 80/20"
// energy-u1    16000    (n,2) float32       undefined
// energy-u2 .. energy-u4, energy-ring (same)
//   COURSE.md S3 reverse KL to U_1..U_4 and ring: exact draws of exp(-U)/Z confined to [-4,4]^2 (nn/data/energies.h),
//   by rejection; 16000 = 12800 train (50 batches of 256 per epoch, the seminar's) + 3200 test
// flower-gmm    25000    (n,2) float32       component 0..7
//   COURSE.md S4 FlowerGMM (nn/data/flower_gmm.h); 20000 train as the seminar's, 5000 test (the seminar has 2000)
// gaussian-rotated 15000 (n,2) float32     undefined
// gaussian-aligned 10000 (n,2) float32     undefined
//   COURSE.md S5 2-D VAE: N([2,3], diag([3,1])) (std 3 and 1) rotated by 45 degrees or not, "15000/10000 points,
//   70/30 split": split 80/20 here like every toy set (12000/3000 and 8000/2000); density N([2,3], S) known
//
// Notes on choices COURSE.md leaves open:
//   * moons' default is 5000, the first homework's size (hw4); pass 20000 (hw5) or 10000 (S3) for the others.
//   * 8gaussians uses 0.08 as the std of the noise added to the centers (before the division by 1.414):
//     the seminar's "used 0.08"; WGAN-GP's original is 0.02 (nn::data::eight_gaussians' default).
//   * hist1d: s = clip(mixture sample, 0, 1), x = min(floor(100 s), 99), i.e. 100 equal bins of [0, 1];
//     x is int64 of shape (n,1) like the other 1-D sets (x.reshape({-1}) for a bincount).
//   * sizes the course does not give (circles, swissroll, checkerboard, gmm2d, mixture1d) default to 5000.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace dgm::nn::data {

struct Split {
  Tensor x;  // points (n,2) or (n,1); float32 except hist1d (int64)
  Tensor y;  // int64 labels (n), or undefined where the set has no classes
};

struct ToyData {
  Split train, test;
  std::string description;  // what was generated, with sizes and source
};

// The set `name` with `size` points in all (0 = the default above), split 80/20.
// An unknown name is a dgm::Error listing toy_dataset_names().
ToyData load_toy_dataset(const std::string& name, int64_t size = 0, uint64_t seed = 0);

// The names load_toy_dataset knows, in the order of the table above.
std::vector<std::string> toy_dataset_names();

}  // namespace dgm::nn::data
