// glow_conv1x1_step: milliseconds per training step of Glow's invertible 1x1
// convolution, plain W (log|det W| by slogdet, O(C^3), and its gradient W^{-T})
// against W = P L (U + diag(s)) (log-det sum log|s|, O(C)), at C = 16, 64, 256.
//
//   step     = forward on x (B, C, H, W), loss = mean(z^2)/2 - mean(log_det), backward
//   log-det  = the matrix alone: W, log|det W| and its backward (what the parametrization changes)
//   inverse  = the inverse pass (W^{-1}: linalg::inv for plain, two triangular solves for LU), no grad
//
// The two parametrizations are timed interleaved (plain, LU, plain, LU, ...) so
// both see the same machine load; each number is the median of `reps` runs after
// 3 warm-up runs. Built with the benchmarks (target dgm_glow_conv1x1_step):
//   build/bin/dgm_glow_conv1x1_step [reps=30] [batch=16] [size=8]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

#include "dgm.h"
#include "models/flows/invertible_conv1x1.h"

using namespace dgm;
using namespace dgm::models::flows;

namespace {

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Medians of a and b, timed alternately.
std::pair<double, double> time_pair(int reps, const std::function<void()>& a, const std::function<void()>& b) {
  for (int i = 0; i < 3; ++i) a(), b();
  std::vector<double> ta, tb;
  for (int i = 0; i < reps; ++i) {
    double t0 = now_ms();
    a();
    double t1 = now_ms();
    b();
    double t2 = now_ms();
    ta.push_back(t1 - t0);
    tb.push_back(t2 - t1);
  }
  return {median(ta), median(tb)};
}

void train_step(Invertible1x1Conv& conv, const Tensor& x) {
  conv.zero_grad();
  FlowOutput out = conv.flow(x);
  // -log p up to constants, per element
  Tensor loss = 0.5 * out.z.square().mean() - out.log_det.mean() / static_cast<double>(x.numel() / x.size(0));
  loss.backward();
  (void)loss.item();
}

void log_det_step(Invertible1x1Conv& conv) {
  conv.zero_grad();
  InvertibleMatrix& m = conv.matrix();
  Tensor loss = m.log_abs_det() + 0 * m.weight().sum();  // assemble W too, as the layer does
  loss.backward();
  (void)loss.item();
}

void inverse_pass(Invertible1x1Conv& conv, const Tensor& z) {
  NoGradGuard no_grad;
  (void)conv.inverse(z).z.sum().item();
}

}  // namespace

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::atoi(argv[1]) : 30;
  const int64_t batch = argc > 2 ? std::atoll(argv[2]) : 16;
  const int64_t size = argc > 3 ? std::atoll(argv[3]) : 8;
  std::printf("Invertible1x1Conv, float32, x (%lld, C, %lld, %lld), %d threads, median of %d\n",
              static_cast<long long>(batch), static_cast<long long>(size), static_cast<long long>(size),
              get_num_threads(), reps);
  std::printf("%5s | %12s %12s | %14s %14s | %12s %12s\n", "C", "step plain", "step LU", "log-det plain", "log-det LU",
              "inv plain", "inv LU");
  for (int64_t c : {16, 64, 256}) {
    Generator gen(1);
    Invertible1x1Conv plain(c, MatrixParametrization::kPlain, &gen);
    Invertible1x1Conv lu(c, MatrixParametrization::kLU, &gen);
    Tensor x = randn({batch, c, size, size}, &gen);
    auto [sp, sl] = time_pair(
        reps, [&] { train_step(plain, x); }, [&] { train_step(lu, x); });
    auto [dp, dl] = time_pair(
        reps, [&] { log_det_step(plain); }, [&] { log_det_step(lu); });
    auto [ip, il] = time_pair(
        reps, [&] { inverse_pass(plain, x); }, [&] { inverse_pass(lu, x); });
    std::printf("%5lld | %9.3f ms %9.3f ms | %11.3f ms %11.3f ms | %9.3f ms %9.3f ms\n", static_cast<long long>(c), sp,
                sl, dp, dl, ip, il);
  }
  return 0;
}
