// dgm_kernel_ladder, the softmax ladder (cuda/teaching/softmax/): each step checked against a double-precision
// CPU softmax and timed against a device-to-device memcpy and cuDNN.
#include <cuda_runtime.h>
#include <cudnn.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "ladders.h"
#include "softmax/01_naive.cuh"
#include "softmax/02_block_reduce.cuh"
#include "softmax/03_warp_shuffle.cuh"
#include "softmax/04_online.cuh"

namespace kernel_ladder {
namespace {

// ---------------------------------------------------------------------------------------------------
// softmax over the last dimension of a (rows, cols) row-major float32 matrix
// ---------------------------------------------------------------------------------------------------
using SoftmaxLaunch = cudaError_t (*)(const float*, float*, int, int, cudaStream_t);
struct SoftmaxStep {
  const char* name;
  SoftmaxLaunch launch;
};
const SoftmaxStep kSoftmaxSteps[] = {
    {"01 naive (thread/row)", ladder::softmax_naive},
    {"02 block reduce (smem)", ladder::softmax_block_reduce},
    {"03 warp shuffle", ladder::softmax_warp_shuffle},
    {"04 online (1 stats pass)", ladder::softmax_online},
};

// Tolerance, as max over all elements of |y - y_ref| / y_ref. Per element: x - max is rounded to float
// (relative error of exp up to 2^-24 * |x - max| ~ 2e-6 for |x - max| <= 32), expf and the reciprocal
// add a few ulp, and the row sum of `cols` positive terms carries a relative error of ~ u * sqrt(cols)
// (a random walk; ~4e-6 at 4096 columns). 1e-4 is ~10x above that. Bugs (a missed element block, a
// wrong row) produce errors of 1e-3 or more, and the row offsets up to +100 overflow expf unless the max
// is subtracted.
constexpr double kSoftmaxTolerance = 1e-4;

}  // namespace

void run_softmax(int rows, int cols, bool timed, const Options& opt, cudnnHandle_t cudnn) {
  const std::string shape = std::to_string(rows) + "x" + std::to_string(cols);
  const size_t n = (size_t)rows * cols;
  const uint64_t seed = 7000 + (uint64_t)rows * 31 + cols;
  // x = row offset in [-30, 100] + noise in [-10, 10]
  std::vector<float> x(n);
  parallel_for(rows, [&](size_t b, size_t e) {
    for (size_t r = b; r < e; ++r) {
      const float offset = uniform(seed, r, -30.0f, 100.0f);
      for (int j = 0; j < cols; ++j) x[r * cols + j] = offset + uniform(seed + 1, r * cols + j, -10.0f, 10.0f);
    }
  });
  // per-row max and sum of exp(x - max), in double
  std::vector<double> row_max(rows), row_sum(rows);
  parallel_for(rows, [&](size_t b, size_t e) {
    for (size_t r = b; r < e; ++r) {
      const float* xr = &x[r * cols];
      double m = -kInf, s = 0.0;
      for (int j = 0; j < cols; ++j) m = std::max(m, (double)xr[j]);
      for (int j = 0; j < cols; ++j) s += std::exp((double)xr[j] - m);
      row_max[r] = m;
      row_sum[r] = s;
    }
  });
  const auto error_of = [&](const std::vector<float>& y) {
    std::vector<double> worst(rows, 0.0);
    parallel_for(rows, [&](size_t b, size_t e) {
      for (size_t r = b; r < e; ++r)
        for (int j = 0; j < cols; ++j) {
          const double want = std::exp((double)x[r * cols + j] - row_max[r]) / row_sum[r];
          const double got = y[r * cols + j];
          const double rel = std::isfinite(got) ? std::fabs(got - want) / want : kInf;
          worst[r] = std::max(worst[r], rel);
        }
    });
    return *std::max_element(worst.begin(), worst.end());
  };

  DeviceBuffer dx(x), dy(n);
  const double bytes = 2.0 * n * sizeof(float);  // read x once, write y once
  std::vector<Result> results;
  const auto base = [&](const char* step, bool reference) {
    Result r;
    r.ladder = "softmax";
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
    if (check) finish_error(r, error_of(dy.download()), kSoftmaxTolerance);
    if (timed) {
      const Timing t = median_ms(opt, run);
      r.ms = t.ms;
      r.batch = t.batch;
      r.rate = bytes / (r.ms * 1e-3) / 1e9;
    }
    results.push_back(r);
  };

  // references: device-to-device copy of the same bytes, and cuDNN on an NCHW (rows, cols, 1, 1) tensor
  measure(base("memcpy D2D (ref)", true), false,
          [&] { CUDA_CHECK(cudaMemcpyAsync(dy.get(), dx.get(), n * sizeof(float), cudaMemcpyDeviceToDevice, 0)); });
  cudnnTensorDescriptor_t desc;
  CUDNN_CHECK(cudnnCreateTensorDescriptor(&desc));
  CUDNN_CHECK(cudnnSetTensor4dDescriptor(desc, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, rows, cols, 1, 1));
  measure(base("cuDNN softmax (ref)", true), true, [&] {
    const float one = 1.0f, zero = 0.0f;
    CUDNN_CHECK(cudnnSoftmaxForward(cudnn, CUDNN_SOFTMAX_ACCURATE, CUDNN_SOFTMAX_MODE_INSTANCE, &one, desc, dx.get(),
                                    &zero, desc, dy.get()));
  });
  CUDNN_CHECK(cudnnDestroyTensorDescriptor(desc));

  for (const SoftmaxStep& step : kSoftmaxSteps)
    measure(base(step.name, false), true, [&] { CUDA_CHECK(step.launch(dx.get(), dy.get(), rows, cols, 0)); });

  const double memcpy_ms = results[0].ms, cudnn_ms = results[1].ms;
  if (timed) {
    char title[256];
    std::snprintf(
        title, sizeof title,
        "softmax over the last dim, rows x cols = %s, float32, median of %d samples (GB/s of x read + y written)",
        shape.c_str(), opt.reps);
    print_header(title, "GB/s", "% memcpy", "% cuDNN", "max rel err");
  }
  std::rotate(results.begin(), results.begin() + 2, results.end());
  for (Result& r : results) {
    r.pct1 = 100.0 * memcpy_ms / r.ms;
    r.pct2 = 100.0 * cudnn_ms / r.ms;
    if (timed) print_result(r);
    g_results.push_back(r);
  }
}

}  // namespace kernel_ladder
