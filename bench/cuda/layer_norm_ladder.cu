// dgm_kernel_ladder, the layer_norm ladder (cuda/teaching/layer_norm/): each step checked against a
// double-precision CPU layer norm and timed against a device-to-device memcpy.
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "ladders.h"
#include "layer_norm/01_naive.cuh"
#include "layer_norm/02_warp_shuffle.cuh"
#include "layer_norm/03_welford_vectorized.cuh"

namespace kernel_ladder {
namespace {

// ---------------------------------------------------------------------------------------------------
// layer_norm over the last dimension: y = (x - mean) / sqrt(var + eps) * gamma + beta (biased var)
// ---------------------------------------------------------------------------------------------------
using LayerNormLaunch = cudaError_t (*)(const float*, const float*, const float*, float*, int, int, float,
                                        cudaStream_t);
using LayerNormSupports = bool (*)(const float*, const float*, const float*, const float*, int, int);
struct LayerNormStep {
  const char* name;
  LayerNormLaunch launch;
  LayerNormSupports supports;  // nullptr: every shape
  const char* requirement;
};
const LayerNormStep kLayerNormSteps[] = {
    {"01 naive (thread/row)", ladder::layer_norm_naive, nullptr, ""},
    {"02 warp shuffle", ladder::layer_norm_warp_shuffle, nullptr, ""},
    {"03 welford float4", ladder::layer_norm_welford_vectorized, ladder::layer_norm_welford_vectorized_supports,
     "needs cols%4 = 0"},
};
constexpr float kLayerNormEps = 1e-5f;

// Tolerance, as max |y - y_ref| / max |y_ref|. Inputs: x = row offset in [-2, 2] + row scale in [0.5, 2] times
// noise in [-1, 1], gamma in [0.5, 1.5], beta in [-0.5, 0.5], so |y| <= ~3. The float mean of `cols`
// values is off by ~ u * sqrt(cols) * |offset| (sequential sum, the naive step) which shifts y by that
// over the row's std (>= 0.29): ~1e-5 of max|y| in the worst rows at 4096 columns; variance and rsqrt add
// ~1e-6. 1e-4 leaves a margin of ~10x; a wrong mean, variance or gamma index costs 1e-2 or more.
constexpr double kLayerNormTolerance = 1e-4;

}  // namespace

void run_layer_norm(int rows, int cols, bool timed, const Options& opt) {
  const std::string shape = std::to_string(rows) + "x" + std::to_string(cols);
  const size_t n = (size_t)rows * cols;
  const uint64_t seed = 9000 + (uint64_t)rows * 31 + cols;
  std::vector<float> x(n);
  parallel_for(rows, [&](size_t b, size_t e) {
    for (size_t r = b; r < e; ++r) {
      const float offset = uniform(seed, r, -2.0f, 2.0f), scale = uniform(seed + 1, r, 0.5f, 2.0f);
      for (int j = 0; j < cols; ++j) x[r * cols + j] = offset + scale * uniform(seed + 2, r * cols + j, -1.0f, 1.0f);
    }
  });
  const std::vector<float> gamma = random_vector(cols, seed + 3, 0.5f, 1.5f);
  const std::vector<float> beta = random_vector(cols, seed + 4, -0.5f, 0.5f);
  // per-row mean and 1/sqrt(var + eps), in double (two-pass)
  std::vector<double> row_mean(rows), row_rstd(rows);
  parallel_for(rows, [&](size_t b, size_t e) {
    for (size_t r = b; r < e; ++r) {
      const float* xr = &x[r * cols];
      double s = 0.0, sq = 0.0;
      for (int j = 0; j < cols; ++j) s += xr[j];
      const double mean = s / cols;
      for (int j = 0; j < cols; ++j) sq += (xr[j] - mean) * (xr[j] - mean);
      row_mean[r] = mean;
      row_rstd[r] = 1.0 / std::sqrt(sq / cols + (double)kLayerNormEps);
    }
  });
  const auto error_of = [&](const std::vector<float>& y) {
    std::vector<double> worst(rows, 0.0), largest(rows, 0.0);
    parallel_for(rows, [&](size_t b, size_t e) {
      for (size_t r = b; r < e; ++r)
        for (int j = 0; j < cols; ++j) {
          const double want = (x[r * cols + j] - row_mean[r]) * row_rstd[r] * gamma[j] + beta[j];
          const double got = y[r * cols + j];
          worst[r] = std::max(worst[r], std::isfinite(got) ? std::fabs(got - want) : kInf);
          largest[r] = std::max(largest[r], std::fabs(want));
        }
    });
    return *std::max_element(worst.begin(), worst.end()) /
           std::max(*std::max_element(largest.begin(), largest.end()), 1e-30);
  };

  DeviceBuffer dx(x), dgamma(gamma), dbeta(beta), dy(n);
  const double bytes = 2.0 * n * sizeof(float) + 2.0 * cols * sizeof(float);  // x, y once; gamma, beta once
  std::vector<Result> results;
  const auto base = [&](const char* step, bool reference) {
    Result r;
    r.ladder = "layer_norm";
    r.shape = shape;
    r.step = step;
    r.reference = reference;
    r.timed = timed;
    return r;
  };
  const auto measure = [&](Result r, bool check, auto&& run) {
    dy.poison();
    run();
    CUDA_CHECK(cudaDeviceSynchronize());
    if (check) finish_error(r, error_of(dy.download()), kLayerNormTolerance);
    if (timed) {
      const Timing t = median_ms(opt, run);
      r.ms = t.ms;
      r.batch = t.batch;
      r.rate = bytes / (r.ms * 1e-3) / 1e9;
    }
    results.push_back(r);
  };

  measure(base("memcpy D2D (ref)", true), false,
          [&] { CUDA_CHECK(cudaMemcpyAsync(dy.get(), dx.get(), n * sizeof(float), cudaMemcpyDeviceToDevice, 0)); });
  for (const LayerNormStep& step : kLayerNormSteps) {
    if (step.supports && !step.supports(dx.get(), dgamma.get(), dbeta.get(), dy.get(), rows, cols)) {
      Result r = base(step.name, false);
      r.supported = false;
      r.note = step.requirement;
      results.push_back(r);
      continue;
    }
    measure(base(step.name, false), true, [&] {
      CUDA_CHECK(step.launch(dx.get(), dgamma.get(), dbeta.get(), dy.get(), rows, cols, kLayerNormEps, 0));
    });
  }

  const double memcpy_ms = results[0].ms;
  if (timed) {
    char title[256];
    std::snprintf(
        title, sizeof title,
        "layer_norm over the last dim, rows x cols = %s, float32, eps 1e-5, median of %d samples (GB/s of x + y)",
        shape.c_str(), opt.reps);
    print_header(title, "GB/s", "% memcpy", "", "err/max|y|");
  }
  std::rotate(results.begin(), results.begin() + 1, results.end());
  for (Result& r : results) {
    r.pct1 = 100.0 * memcpy_ms / r.ms;
    if (timed) print_result(r);
    g_results.push_back(r);
  }
}

}  // namespace kernel_ladder
