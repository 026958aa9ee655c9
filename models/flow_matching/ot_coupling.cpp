#include "models/flow_matching/ot_coupling.h"

#include <cmath>
#include <vector>

#include "autograd/ops/index_ops.h"
#include "models/flow_matching/earth_movers.h"

#include "tensor/error.h"
#include "tensor/factories.h"

namespace dgm::models::flow_matching {

Tensor get_map(const Tensor& x0, const Tensor& x1) {
  DGM_CHECK(x0.defined() && x1.defined() && x0.dim() >= 1 && x0.shape() == x1.shape() && x0.size(0) > 0,
            "get_map: expected two non-empty batches of the same shape, got ",
            x0.defined() ? shape_str(x0.shape()) : std::string("nothing"), " and ",
            x1.defined() ? shape_str(x1.shape()) : std::string("nothing"));
  // BEGIN SOLUTION hw6.3/get_map
  // M_ij = |x0_i - x1_j|^2; pi = ot.emd(uniform, uniform, M)
  return emd_uniform(squared_euclidean_costs(x0, x1));
  // END SOLUTION
}

std::pair<Tensor, Tensor> sample_map(const Tensor& pi, int64_t batch_size, Generator* gen) {
  DGM_CHECK(pi.defined() && pi.dim() == 2 && pi.numel() > 0, "sample_map: expected a plan (B0, B1), got ",
            pi.defined() ? shape_str(pi.shape()) : std::string("nothing"));
  DGM_CHECK(batch_size > 0, "sample_map: expected batch_size > 0, got ", batch_size);
  const Tensor p = pi.to(Device(kCPU)).to(kFloat64).reshape({-1});
  DGM_CHECK(p.min().item<double>() >= 0 && p.sum().item<double>() > 0 && std::isfinite(p.sum().item<double>()),
            "sample_map: the plan must be finite and non-negative with a positive sum");
  // k ~ pi_k / sum(pi), batch_size draws with replacement; (i, j) = divmod(k, B1)
  const Tensor k = multinomial(p / p.sum().item<double>(), batch_size, true, gen).contiguous();
  const int64_t cols = pi.size(1);
  std::vector<int64_t> rows_of(static_cast<size_t>(batch_size)), cols_of(static_cast<size_t>(batch_size));
  const int64_t* kp = k.data_ptr<int64_t>();
  for (int64_t b = 0; b < batch_size; ++b) {
    rows_of[static_cast<size_t>(b)] = kp[b] / cols;
    cols_of[static_cast<size_t>(b)] = kp[b] % cols;
  }
  return {tensor(rows_of), tensor(cols_of)};
}

std::pair<Tensor, Tensor> sample_plan(const Tensor& x0, const Tensor& x1, const Tensor& pi, Generator* gen) {
  DGM_CHECK(x0.defined() && x1.defined() && x0.dim() >= 1 && x1.dim() >= 1,
            "sample_plan: x0 and x1 must be batches (B, ...), got ", x0.defined() ? shape_str(x0.shape()) : "nothing",
            " and ", x1.defined() ? shape_str(x1.shape()) : "nothing");
  DGM_CHECK(pi.defined() && pi.dim() == 2 && pi.size(0) == x0.size(0) && pi.size(1) == x1.size(0),
            "sample_plan: the plan ", pi.defined() ? shape_str(pi.shape()) : std::string("nothing"),
            " does not match the batches ", shape_str(x0.shape()), " and ", shape_str(x1.shape()));
  auto [i, j] = sample_map(pi, x0.size(0), gen);
  return {index_select(x0, 0, i.to(x0.device())), index_select(x1, 0, j.to(x1.device()))};
}

}  // namespace dgm::models::flow_matching
