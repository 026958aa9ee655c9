#include "models/lvm/gmm_em.h"

#include <algorithm>

#include "autograd/grad_mode.h"
#include "models/lvm/gmm_pictures.h"
#include "tensor/factories.h"

namespace dgm::models::lvm {

namespace {
std::vector<double> points(const Tensor& x) { return x.to(Device()).to(kFloat64).contiguous().to_vector<double>(); }
}  // namespace

GmmEm::GmmEm(int64_t components, int64_t dim, double reg) : reg_(reg) {
  DGM_CHECK(reg >= 0, "GmmEm: reg must be >= 0, got ", reg);
  mixture = register_module("mixture", std::make_shared<GaussianMixture>(components, dim));
  mixture->to(kFloat64);
  initialized = register_buffer("initialized", zeros({}, kInt64));
}

void GmmEm::initialize(const Tensor& x) {
  NoGradGuard no_grad;
  const int64_t K = mixture->components(), D = mixture->dim(), N = x.size(0);
  DGM_CHECK(N >= K, "GmmEm: the first batch has ", N, " points, fewer than the ", K, " components");
  const std::vector<double> v = points(x);
  // squared distance of point i to mean row c of `centres`
  auto dist2 = [&](int64_t i, const std::vector<double>& centres, int64_t c) {
    double s = 0;
    for (int64_t a = 0; a < D; ++a) s += (v[i * D + a] - centres[c * D + a]) * (v[i * D + a] - centres[c * D + a]);
    return s;
  };
  // k-means++ seeding: the first mean a uniform data point, each next one a point drawn with probability
  // proportional to d(x)^2, its squared distance to the nearest mean so far
  std::vector<double> centres, d2(N, 1.0);
  for (int64_t k = 0; k < K; ++k) {
    const int64_t pick = multinomial(tensor(d2), 1, true).item<int64_t>();
    for (int64_t a = 0; a < D; ++a) centres.push_back(v[pick * D + a]);
    for (int64_t i = 0; i < N; ++i) d2[i] = k == 0 ? dist2(i, centres, 0) : std::min(d2[i], dist2(i, centres, k));
  }
  // one hard assignment (each point to its nearest mean) and the M-step on these one-hot responsibilities
  std::vector<double> resp(N * K, 0.0);
  for (int64_t i = 0; i < N; ++i) {
    int64_t best = 0;
    for (int64_t k = 1; k < K; ++k)
      if (dist2(i, centres, k) < dist2(i, centres, best)) best = k;
    resp[i * K + best] = 1;
  }
  mixture->set_params(m_step(v, resp, K, D, reg_));
  initialized.fill_(1);
}

Losses GmmEm::train_step(const Batch& batch, train::Optimizers&) {
  NoGradGuard no_grad;
  DGM_CHECK(batch.x.dim() == 2 && batch.x.size(1) == mixture->dim(), "GmmEm: expected points (N,", mixture->dim(),
            "), got ", shape_str(batch.x.shape()));
  if (initialized.item<int64_t>() == 0) initialize(batch.x);
  const std::vector<double> x = points(batch.x);
  std::vector<double> resp;
  const double log_lik = e_step(x, mixture->params(), &resp);  // sum_i log p(x_i), before the step
  mixture->set_params(m_step(x, resp, mixture->components(), mixture->dim(), reg_));
  const double per_point = log_lik / static_cast<double>(batch.x.size(0));
  return {{"loss", scalar_tensor(-per_point, kFloat64)}, {"log_likelihood", scalar_tensor(per_point, kFloat64)}};
}

Losses GmmEm::loss(const Batch& batch) {
  // NLL = -mean_i log p(x_i), in float64
  Tensor nll = -mixture->log_prob(batch.x).mean();
  return {{"loss", nll}, {"log_likelihood", -nll}};
}

Tensor GmmEm::sample(int64_t n, const SampleOptions& options) { return mixture->sample(n, options.gen).to(kFloat32); }

void GmmEm::save_pictures(const std::string& dir, const Batch& test_batch, int64_t n_samples, Generator* gen) {
  GenerativeModel::save_pictures(dir, test_batch, n_samples, gen);
  save_gmm_density(dir, *mixture, test_batch);
}

}  // namespace dgm::models::lvm
