// dgm_kernel_ladder, the matmul ladder (cuda/teaching/matmul/): each step checked against a double-precision
// CPU product and timed against cuBLAS sgemm, FP32 and TF32.
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "ladders.h"
#include "matmul/01_naive.cuh"
#include "matmul/02_coalesced.cuh"
#include "matmul/03_smem_tiled.cuh"
#include "matmul/04_register_tiled.cuh"
#include "matmul/05_vectorized.cuh"

namespace kernel_ladder {
namespace {

// ---------------------------------------------------------------------------------------------------
// matmul: C = A @ B, row-major float32
// ---------------------------------------------------------------------------------------------------
using MatmulLaunch = cudaError_t (*)(const float*, const float*, float*, int, int, int, cudaStream_t);
using MatmulSupports = bool (*)(const float*, const float*, const float*, int, int, int);
struct MatmulStep {
  const char* name;
  MatmulLaunch launch;
  MatmulSupports supports;  // nullptr: every shape
  const char* requirement;
};
const MatmulStep kMatmulSteps[] = {
    {"01 naive", ladder::matmul_naive, nullptr, ""},
    {"02 coalesced", ladder::matmul_coalesced, nullptr, ""},
    {"03 smem tiled 32x32", ladder::matmul_smem_tiled, nullptr, ""},
    {"04 register tiled 8x8", ladder::matmul_register_tiled, nullptr, ""},
    {"05 vectorized float4", ladder::matmul_vectorized, ladder::matmul_vectorized_supports, "needs N%4 = K%4 = 0"},
};

// Tolerances, as max |C - C_ref| / max |C_ref| over the checked entries. Inputs are uniform in [-1, 1].
// FP32: every kernel accumulates a K-term dot product in float, one sequential chain per output. Each
// addition rounds with relative error <= u = 2^-24 of a partial sum of size ~ sqrt(k)/3, so the error is a
// random walk of size ~ u * K / (3 sqrt(6)), against max |C| ~ 5 sqrt(K)/3: the ratio grows like sqrt(K).
// A CPU simulation of such FMA chains (65536 outputs) gives 1.1e-6 at K = 1024, 2.3e-6 at K = 4096 and
// 3.5e-6 at K = 8192. 5e-5 (scaled by sqrt(K / 4096) above 4096) leaves a margin of ~20x and is still
// ~15x below what TF32 inputs produce; indexing and synchronization bugs give errors of order 1.
// TF32: inputs keep 10 mantissa bits (relative error up to ~1e-3 each, biased when truncated), giving
// ~1e-3 of max |C|: 1e-2 only checks the cuBLAS call itself (operand order, leading dimensions).
double matmul_tolerance_fp32(int K) { return 5e-5 * std::max(1.0, std::sqrt(K / 4096.0)); }
constexpr double kMatmulToleranceTf32 = 1e-2;

// Double-precision C rows for a subset of rows (all rows when M*N*K is small).
struct MatmulReference {
  std::vector<int> rows;
  std::vector<double> c;  // rows.size() x N
  double max_abs = 0.0;
};

MatmulReference matmul_reference(const std::vector<float>& A, const std::vector<float>& B, int M, int N, int K) {
  MatmulReference ref;
  if ((double)M * N * K <= 2.2e9) {
    for (int i = 0; i < M; ++i) ref.rows.push_back(i);
  } else {  // 256 rows: the first, the last, and rows at random offsets inside their 128-row tiles
    const int samples = std::min(M, 256);
    for (int s = 0; s < samples; ++s) {
      const int lo = (int)((long long)M * s / samples), hi = (int)((long long)M * (s + 1) / samples);
      ref.rows.push_back(s == 0 ? 0 : s == samples - 1 ? M - 1 : lo + (int)(uniform01(99, s) * (hi - lo)));
    }
  }
  const size_t R = ref.rows.size();
  ref.c.assign(R * N, 0.0);
  constexpr size_t kChunk = 8;  // rows per pass over B, so B is streamed R / 8 times instead of R times
  parallel_for((R + kChunk - 1) / kChunk, [&](size_t b, size_t e) {
    for (size_t chunk = b; chunk < e; ++chunk) {
      const size_t r0 = chunk * kChunk, r1 = std::min(R, r0 + kChunk);
      for (int k = 0; k < K; ++k) {
        const float* brow = &B[(size_t)k * N];
        for (size_t r = r0; r < r1; ++r) {
          const double a = A[(size_t)ref.rows[r] * K + k];
          double* crow = &ref.c[r * N];
          for (int j = 0; j < N; ++j) crow[j] += a * brow[j];
        }
      }
    }
  });
  for (double v : ref.c) ref.max_abs = std::max(ref.max_abs, std::fabs(v));
  return ref;
}

double matmul_error(const MatmulReference& ref, const std::vector<float>& C, int N) {
  double worst = 0.0;
  for (size_t r = 0; r < ref.rows.size(); ++r)
    for (int j = 0; j < N; ++j) {
      const float c = C[(size_t)ref.rows[r] * N + j];
      if (!std::isfinite(c)) return kInf;
      worst = std::max(worst, std::fabs(c - ref.c[r * N + j]));
    }
  return worst / std::max(ref.max_abs, 1e-30);
}

// cuBLAS is column-major. The row-major M x N matrix C is, read column-major, the N x M matrix C^T, and
// C^T = B^T A^T where B^T and A^T are the row-major B and A read column-major (leading dimensions N and K).
// So row-major C = A @ B is the column-major product (N x K) @ (K x M) with the operands swapped.
void sgemm_row_major(cublasHandle_t handle, const float* A, const float* B, float* C, int M, int N, int K) {
  const float one = 1.0f, zero = 0.0f;
  CUBLAS_CHECK(cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, N, M, K, &one, B, N, A, K, &zero, C, N));
}

}  // namespace

void run_matmul(int M, int N, int K, bool timed, const Options& opt, cublasHandle_t cublas) {
  const std::string shape = std::to_string(M) + "x" + std::to_string(N) + "x" + std::to_string(K);
  const uint64_t seed = (uint64_t)M * 1000003 + (uint64_t)N * 1009 + K;
  const std::vector<float> A = random_vector((size_t)M * K, seed, -1.0f, 1.0f);
  const std::vector<float> B = random_vector((size_t)K * N, seed + 1, -1.0f, 1.0f);
  const MatmulReference ref = matmul_reference(A, B, M, N, K);
  DeviceBuffer dA(A), dB(B), dC((size_t)M * N);
  const double flops = 2.0 * M * N * K;

  std::vector<Result> rows;
  const auto measure = [&](Result r, double tolerance, auto&& run) {
    dC.poison();
    run();
    CUDA_CHECK(cudaDeviceSynchronize());
    finish_error(r, matmul_error(ref, dC.download(), N), tolerance);
    if (timed) {
      const Timing t = median_ms(opt, run);
      r.ms = t.ms;
      r.batch = t.batch;
      r.rate = flops / (r.ms * 1e-3) / 1e9;
    }
    rows.push_back(r);
  };
  const auto base = [&](const char* step, bool reference) {
    Result r;
    r.ladder = "matmul";
    r.shape = shape;
    r.step = step;
    r.reference = reference;
    r.timed = timed;
    return r;
  };

  // The references first, so that every step's percentage is computed against this run's numbers.
  CUBLAS_CHECK(cublasSetMathMode(cublas, CUBLAS_DEFAULT_MATH));  // FP32 FMA units, no TF32
  measure(base("cuBLAS sgemm FP32 (ref)", true), matmul_tolerance_fp32(K),
          [&] { sgemm_row_major(cublas, dA.get(), dB.get(), dC.get(), M, N, K); });
  CUBLAS_CHECK(cublasSetMathMode(cublas, CUBLAS_TF32_TENSOR_OP_MATH));  // tensor cores, inputs rounded to TF32
  measure(base("cuBLAS sgemm TF32 (ref)", true), kMatmulToleranceTf32,
          [&] { sgemm_row_major(cublas, dA.get(), dB.get(), dC.get(), M, N, K); });
  CUBLAS_CHECK(cublasSetMathMode(cublas, CUBLAS_DEFAULT_MATH));

  for (const MatmulStep& step : kMatmulSteps) {
    if (step.supports && !step.supports(dA.get(), dB.get(), dC.get(), M, N, K)) {
      Result r = base(step.name, false);
      r.supported = false;
      r.note = step.requirement;
      rows.push_back(r);
      continue;
    }
    measure(base(step.name, false), matmul_tolerance_fp32(K),
            [&] { CUDA_CHECK(step.launch(dA.get(), dB.get(), dC.get(), M, N, K, 0)); });
  }

  const double fp32_ms = rows[0].ms, tf32_ms = rows[1].ms;
  if (timed) {
    char title[256];
    std::snprintf(title, sizeof title,
                  "matmul C = A @ B, M x N x K = %s, float32 row-major, median of %d samples (checked %zu of %d rows)",
                  shape.c_str(), opt.reps, ref.rows.size(), M);
    print_header(title, "GFLOP/s", "%cuBLAS fp32", "%cuBLAS tf32", "err/max|C|");
  }
  // steps first, then the two references
  std::rotate(rows.begin(), rows.begin() + 2, rows.end());
  for (Result& r : rows) {
    r.pct1 = 100.0 * fp32_ms / r.ms;  // NaN when untimed
    r.pct2 = 100.0 * tf32_ms / r.ms;
    if (timed) print_result(r);
    g_results.push_back(r);
  }
}

}  // namespace kernel_ladder
