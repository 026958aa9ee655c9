#include "models/gan/penalties.h"

#include "autograd/engine.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/reduction.h"
#include "tensor/error.h"
#include "tensor/factories.h"
#include "tensor/shape.h"

namespace dgm::models::gan {

namespace {

// g = d sum_i f(x)_i / d x, (B, ...): example i's gradient is row i, since f treats examples independently.
Tensor input_gradient(const Critic& critic, const Tensor& x) {
  Tensor input = x.detach().requires_grad_(true);
  Tensor scores = critic(input);
  DGM_CHECK(scores.dim() >= 1 && scores.size(0) == x.size(0), "gradient penalty: the critic gave scores of shape ",
            shape_str(scores.shape()), " for a batch of ", x.size(0), " examples");
  return autograd::grad({scores}, {input}, {ones_like(scores)}, /*retain_graph=*/true, /*create_graph=*/true)[0];
}

}  // namespace

Tensor input_gradient_norm(const Critic& critic, const Tensor& x) {
  DGM_CHECK(x.dim() >= 2, "input_gradient_norm: expected a batch (B, ...), got ", shape_str(x.shape()));
  // BEGIN SOLUTION hw3.11/norm
  // ||g_i||_2 = sqrt(sum_j g_ij^2)
  return norm(input_gradient(critic, x).flatten(1), 2, {1});
  // END SOLUTION
}

Tensor gradient_penalty(const Critic& critic, const Tensor& real, const Tensor& fake, Generator* gen) {
  DGM_CHECK(real.shape() == fake.shape() && real.dim() >= 2, "gradient_penalty: real ", shape_str(real.shape()),
            " and fake ", shape_str(fake.shape()), " must be batches of the same shape");
  // BEGIN SOLUTION hw3.11/penalty
  // t ~ U[0, 1] per example, broadcast over the other dimensions
  Shape t_shape(real.dim(), 1);
  t_shape[0] = real.size(0);
  Tensor t = rand(t_shape, TensorOptions(real.dtype()).device(real.device()), gen);
  // x_t = t x_real + (1 - t) x_fake, outside the generator's graph
  Tensor x_t = add(mul(t, real.detach()), mul(1.0 - t, fake.detach()));
  // mean_i (||g_i|| - 1)^2
  return mean(square(input_gradient_norm(critic, x_t) - 1.0));
  // END SOLUTION
}

Tensor r1_penalty(const Critic& critic, const Tensor& real) {
  DGM_CHECK(real.dim() >= 2, "r1_penalty: expected a batch (B, ...), got ", shape_str(real.shape()));
  // mean_i sum_j g_ij^2
  return mean(sum(square(input_gradient(critic, real).flatten(1)), {1}));
}

}  // namespace dgm::models::gan
