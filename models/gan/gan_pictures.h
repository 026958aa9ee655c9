// Seminar 6's pictures of a toy GAN's critic, beside the samples over the data (GenerativeModel's samples.png):
//   2-D: the critic's output over the plane (D(x) = sigmoid(logit) for a discriminator, the raw score for a
//        Wasserstein or hinge critic) and the norm of its input gradient ||d out / d x||, as heat maps with the
//        data drawn on top; the colour scale is linear from the map's minimum (dark) to its maximum (yellow).
//   1-D: both as curves over x.
//   The critic's weights as a histogram (WGAN with clipping: the weights pile up at +-c).
#pragma once
#include <functional>
#include <string>

#include "tensor/tensor.h"

namespace dgm::models::gan {

using ScalarField = std::function<Tensor(const Tensor&)>;  // points (b,d) -> values (b) or (b,1)

// `field` on the box as a heat map, linear between its min and max over the box; `points` (n,2) drawn on top.
void save_value_map(const std::string& path, const ScalarField& field, double x0, double x1, double y0, double y1,
                    const Tensor& points, int resolution = 100);

// ||grad_x field(x)|| per point (b), with grad mode on (pictures are drawn under no_grad).
Tensor field_gradient_norm(const ScalarField& field, const Tensor& x);

// The curves field(x) and ||d field / dx|| on [x0, x1] (1-D critics), in one plot.
void save_value_curves(const std::string& path, const ScalarField& field, double x0, double x1,
                       const std::string& title, int points = 200);

// A histogram of the values of `weights` (every element of every tensor).
void save_weight_histogram(const std::string& path, const std::vector<Tensor>& weights, const std::string& title);

}  // namespace dgm::models::gan
