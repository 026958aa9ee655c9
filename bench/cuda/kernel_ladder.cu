// dgm_kernel_ladder: runs every step of the teaching kernel ladders in cuda/teaching/ (matmul, softmax,
// layer_norm), checks each step's output against a double-precision CPU reference computed here, and
// prints time, throughput and the percentage of a reference measured in the same run:
//   matmul:     cuBLAS cublasSgemm, FP32 (CUBLAS_DEFAULT_MATH, no TF32) and TF32 tensor cores
//   softmax:    cuDNN cudnnSoftmaxForward (ACCURATE, MODE_INSTANCE) and device-to-device cudaMemcpy
//   layer_norm: device-to-device cudaMemcpy
// Times: CUDA events, median of --reps samples after --warmup runs (a sample averages back-to-back runs
// of a fast kernel over ~1 ms, see median_ms).
// Exit status: 0 when every check passes (or when there is no CUDA device: "no CUDA device: skipped"),
// 1 when a check fails, 2 on a CUDA/cuBLAS/cuDNN error or a bad command line.
//
// Usage: dgm_kernel_ladder [--quick] [--json FILE] [--sizes 1024,2048,4096] [--rows 16384]
//                          [--cols 1024,4096] [--reps 20] [--warmup 3] [--ladders matmul,softmax,layer_norm]
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "layer_norm/01_naive.cuh"
#include "layer_norm/02_warp_shuffle.cuh"
#include "layer_norm/03_welford_vectorized.cuh"
#include "matmul/01_naive.cuh"
#include "matmul/02_coalesced.cuh"
#include "matmul/03_smem_tiled.cuh"
#include "matmul/04_register_tiled.cuh"
#include "matmul/05_vectorized.cuh"
#include "softmax/01_naive.cuh"
#include "softmax/02_block_reduce.cuh"
#include "softmax/03_warp_shuffle.cuh"
#include "softmax/04_online.cuh"

namespace {

// ---------------------------------------------------------------------------------------------------
// Error checking: every CUDA, cuBLAS and cuDNN call goes through one of these; a failure prints
// file:line, the call and the library's error string, and exits with status 2.
// ---------------------------------------------------------------------------------------------------
[[noreturn]] void die(const char* file, int line, const char* call, const char* message) {
  std::fprintf(stderr, "%s:%d: %s failed: %s\n", file, line, call, message);
  std::fflush(stdout);
  std::exit(2);
}
#define CUDA_CHECK(call)                                                      \
  do {                                                                        \
    const cudaError_t err_ = (call);                                          \
    if (err_ != cudaSuccess) die(__FILE__, __LINE__, #call, cudaGetErrorString(err_)); \
  } while (0)
#define CUBLAS_CHECK(call)                                                    \
  do {                                                                        \
    const cublasStatus_t st_ = (call);                                        \
    if (st_ != CUBLAS_STATUS_SUCCESS) die(__FILE__, __LINE__, #call, cublasGetStatusString(st_)); \
  } while (0)
#define CUDNN_CHECK(call)                                                     \
  do {                                                                        \
    const cudnnStatus_t st_ = (call);                                         \
    if (st_ != CUDNN_STATUS_SUCCESS) die(__FILE__, __LINE__, #call, cudnnGetErrorString(st_)); \
  } while (0)

// ---------------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------------
struct Options {
  std::vector<int> sizes = {1024, 2048, 4096};  // square matmul sizes
  int rows = 16384;                             // softmax / layer_norm rows
  std::vector<int> cols = {1024, 4096};         // softmax / layer_norm columns
  int reps = 20;
  int warmup = 3;
  bool matmul = true, softmax = true, layer_norm = true;
  bool quick = false;
  std::string json;
};

const char* kUsage =
    "usage: dgm_kernel_ladder [--quick] [--json FILE] [--sizes 1024,2048,4096] [--rows 16384]\n"
    "                         [--cols 1024,4096] [--reps 20] [--warmup 3] [--ladders matmul,softmax,layer_norm]\n"
    "  --quick    small sizes and few repetitions (smoke test): --sizes 256,512 --rows 1024 --cols 1024,4096\n"
    "             --reps 5 --warmup 1 (flags after --quick override it)\n"
    "  --json F   also write every result to F as JSON\n";

[[noreturn]] void usage_error(const std::string& message) {
  std::fprintf(stderr, "dgm_kernel_ladder: %s\n%s", message.c_str(), kUsage);
  std::exit(2);
}

int parse_positive(const std::string& text, const char* flag) {
  char* end = nullptr;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v <= 0 || v > (1L << 30)) usage_error(std::string("bad value for ") + flag + ": '" + text + "'");
  return static_cast<int>(v);
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    parts.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos) return parts;
    start = comma + 1;
  }
}

std::vector<int> parse_list(const std::string& text, const char* flag) {
  std::vector<int> values;
  for (const std::string& part : split_commas(text)) values.push_back(parse_positive(part, flag));
  return values;
}

Options parse_options(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage_error("missing value after " + arg);
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") {
      std::printf("%s", kUsage);
      std::exit(0);
    } else if (arg == "--quick") {
      opt.quick = true;
      opt.sizes = {256, 512};
      opt.rows = 1024;
      opt.cols = {1024, 4096};
      opt.reps = 5;
      opt.warmup = 1;
    } else if (arg == "--json") {
      opt.json = value();
    } else if (arg == "--sizes") {
      opt.sizes = parse_list(value(), "--sizes");
    } else if (arg == "--rows") {
      opt.rows = parse_positive(value(), "--rows");
    } else if (arg == "--cols") {
      opt.cols = parse_list(value(), "--cols");
    } else if (arg == "--reps") {
      opt.reps = parse_positive(value(), "--reps");
    } else if (arg == "--warmup") {
      opt.warmup = parse_positive(value(), "--warmup");
    } else if (arg == "--ladders") {
      opt.matmul = opt.softmax = opt.layer_norm = false;
      for (const std::string& name : split_commas(value())) {
        if (name == "matmul") opt.matmul = true;
        else if (name == "softmax") opt.softmax = true;
        else if (name == "layer_norm") opt.layer_norm = true;
        else usage_error("unknown ladder '" + name + "' (matmul, softmax, layer_norm)");
      }
    } else {
      usage_error("unknown argument '" + arg + "'");
    }
  }
  return opt;
}

// ---------------------------------------------------------------------------------------------------
// Host helpers: threads for the CPU references, deterministic random numbers, device buffers, timing
// ---------------------------------------------------------------------------------------------------

// f(begin, end) over [0, n) split into contiguous chunks, one per hardware thread
template <class F>
void parallel_for(size_t n, F&& f) {
  const size_t threads = std::max<size_t>(1, std::min<size_t>({std::thread::hardware_concurrency(), 32, n}));
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t) {
    const size_t begin = n * t / threads, end = n * (t + 1) / threads;
    pool.emplace_back([&f, begin, end] { f(begin, end); });
  }
  for (std::thread& th : pool) th.join();
}

// A uniform number in [0, 1) that depends only on (seed, i): fills can run in parallel and stay reproducible.
float uniform01(uint64_t seed, uint64_t i) {
  uint64_t z = seed * 0x9E3779B97F4A7C15ull + i + 0x632BE59BD9B4E019ull;  // splitmix64 of (seed, i)
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<float>(z >> 40) * 0x1p-24f;  // 24 random bits
}

float uniform(uint64_t seed, uint64_t i, float lo, float hi) { return lo + (hi - lo) * uniform01(seed, i); }

std::vector<float> random_vector(size_t n, uint64_t seed, float lo, float hi) {
  std::vector<float> v(n);
  parallel_for(n, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) v[i] = uniform(seed, i, lo, hi);
  });
  return v;
}

class DeviceBuffer {
 public:
  explicit DeviceBuffer(size_t count) : count_(count) { CUDA_CHECK(cudaMalloc(&ptr_, bytes())); }
  explicit DeviceBuffer(const std::vector<float>& host) : DeviceBuffer(host.size()) {
    CUDA_CHECK(cudaMemcpy(ptr_, host.data(), bytes(), cudaMemcpyHostToDevice));
  }
  ~DeviceBuffer() { cudaFree(ptr_); }  // never fails for a pointer from cudaMalloc
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  float* get() const { return ptr_; }
  size_t bytes() const { return count_ * sizeof(float); }
  // all bits set = NaN in every element: a kernel that skips an output cannot pass the check
  void poison() { CUDA_CHECK(cudaMemset(ptr_, 0xFF, bytes())); }
  std::vector<float> download() const {
    std::vector<float> host(count_);
    CUDA_CHECK(cudaMemcpy(host.data(), ptr_, bytes(), cudaMemcpyDeviceToHost));
    return host;
  }

 private:
  float* ptr_ = nullptr;
  size_t count_;
};

// Time of one run of `run` (which only enqueues work on the default stream), in milliseconds: the median
// of `opt.reps` samples taken after `opt.warmup` untimed runs. A sample is the CUDA-event time of `batch`
// back-to-back runs divided by `batch`, with `batch` chosen from the warm-up so that a sample lasts about
// 1 ms (1 for slow kernels): timing a single 40-microsecond kernel between two events would also count the
// few microseconds the GPU waits for the launch to arrive.
struct Timing {
  double ms;
  int batch;
};

template <class Run>
Timing median_ms(const Options& opt, Run&& run) {
  cudaEvent_t start, stop;
  CUDA_CHECK(cudaEventCreate(&start));
  CUDA_CHECK(cudaEventCreate(&stop));
  const auto timed_ms = [&](int count) {
    CUDA_CHECK(cudaEventRecord(start, 0));
    for (int i = 0; i < count; ++i) run();
    CUDA_CHECK(cudaEventRecord(stop, 0));
    CUDA_CHECK(cudaEventSynchronize(stop));
    float ms = 0.0f;
    CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
    return (double)ms;
  };
  const double warm_ms = timed_ms(opt.warmup) / opt.warmup;
  const int batch = (int)std::clamp(std::ceil(1.0 / std::max(warm_ms, 1e-3)), 1.0, 1000.0);
  std::vector<double> samples;
  for (int i = 0; i < opt.reps; ++i) samples.push_back(timed_ms(batch) / batch);
  CUDA_CHECK(cudaEventDestroy(start));
  CUDA_CHECK(cudaEventDestroy(stop));
  std::sort(samples.begin(), samples.end());
  const size_t n = samples.size();
  return {n % 2 ? samples[n / 2] : 0.5 * (samples[n / 2 - 1] + samples[n / 2]), batch};
}

// ---------------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------------
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

struct Result {
  std::string ladder, shape, step;
  bool reference = false;  // cuBLAS / cuDNN / memcpy rows
  bool timed = false;      // false for the correctness-only edge shapes
  bool supported = true;   // false: the step does not accept this shape (it says why in `note`)
  bool checked = false;    // compared against the CPU reference (memcpy is not)
  bool pass = true;
  double ms = kNaN, rate = kNaN;        // rate in GFLOP/s (matmul) or GB/s (softmax, layer_norm)
  int batch = 0;                        // runs per timing sample (see median_ms)
  double pct1 = kNaN, pct2 = kNaN;      // % of the reference(s), see the table headers
  double error = kNaN, tolerance = kNaN;
  std::string note;
};

std::vector<Result> g_results;

void print_header(const char* title, const char* rate_unit, const char* pct1, const char* pct2, const char* error_name) {
  std::printf("\n%s\n", title);
  std::printf("  %-28s %10s %11s %12s %12s %13s  %s\n", "step", "ms", rate_unit, pct1, pct2, error_name, "check");
}

std::string fmt(const char* format, double v) {
  if (std::isnan(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

void print_result(const Result& r) {
  std::string check;
  if (!r.supported) check = "n/a (" + r.note + ")";
  else if (!r.checked) check = "-";
  else check = std::string(r.pass ? "ok" : "FAIL") + " (tol " + fmt("%.0e", r.tolerance) + ")";
  std::printf("  %-28s %10s %11s %12s %12s %13s  %s\n", r.step.c_str(), fmt("%.4f", r.ms).c_str(),
              fmt("%.1f", r.rate).c_str(), fmt("%.1f%%", r.pct1).c_str(), fmt("%.1f%%", r.pct2).c_str(),
              fmt("%.2e", r.error).c_str(), check.c_str());
}

void finish_error(Result& r, double error, double tolerance) {
  r.checked = true;
  r.error = error;
  r.tolerance = tolerance;
  r.pass = error <= tolerance;  // false for NaN
}

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
    std::snprintf(title, sizeof title,
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

// ---------------------------------------------------------------------------------------------------
// layer_norm over the last dimension: y = (x - mean) / sqrt(var + eps) * gamma + beta (biased var)
// ---------------------------------------------------------------------------------------------------
using LayerNormLaunch = cudaError_t (*)(const float*, const float*, const float*, float*, int, int, float, cudaStream_t);
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
    std::snprintf(title, sizeof title,
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

// ---------------------------------------------------------------------------------------------------
// JSON (written by hand: no JSON library on the GPU machine is assumed)
// ---------------------------------------------------------------------------------------------------
std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if ((unsigned char)c < 0x20) continue;
    out += c;
  }
  return out + "\"";
}

std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

void write_json(const std::string& path, const std::string& device, bool skipped, const std::string& reason,
                int failures) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) {
    std::fprintf(stderr, "dgm_kernel_ladder: cannot write %s: %s\n", path.c_str(), std::strerror(errno));
    std::exit(2);
  }
  std::fprintf(f, "{\n  \"device\": %s,\n  \"skipped\": %s,\n", json_string(device).c_str(), skipped ? "true" : "false");
  if (skipped) std::fprintf(f, "  \"reason\": %s,\n", json_string(reason).c_str());
  std::fprintf(f, "  \"failures\": %d,\n  \"results\": [", failures);
  for (size_t i = 0; i < g_results.size(); ++i) {
    const Result& r = g_results[i];
    const bool matmul = r.ladder == "matmul";
    std::fprintf(f, "%s\n    {\"ladder\": %s, \"shape\": %s, \"step\": %s, \"reference\": %s, \"timed\": %s, ",
                 i ? "," : "", json_string(r.ladder).c_str(), json_string(r.shape).c_str(), json_string(r.step).c_str(),
                 r.reference ? "true" : "false", r.timed ? "true" : "false");
    std::fprintf(f, "\"supported\": %s, \"checked\": %s, \"pass\": %s, \"ms\": %s, \"runs_per_sample\": %d, \"%s\": %s, ",
                 r.supported ? "true" : "false", r.checked ? "true" : "false", r.pass ? "true" : "false",
                 json_number(r.ms).c_str(), r.batch, matmul ? "gflops" : "gbps", json_number(r.rate).c_str());
    std::fprintf(f, "\"%s\": %s, \"%s\": %s, \"error\": %s, \"tolerance\": %s}",
                 matmul ? "pct_cublas_fp32" : "pct_memcpy", json_number(r.pct1).c_str(),
                 matmul ? "pct_cublas_tf32" : "pct_cudnn", json_number(r.pct2).c_str(), json_number(r.error).c_str(),
                 json_number(r.tolerance).c_str());
  }
  std::fprintf(f, "\n  ]\n}\n");
  std::fclose(f);
}

}  // namespace

int main(int argc, char** argv) {
  const Options opt = parse_options(argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // line-buffered, so progress shows up when piped

  int devices = 0;
  const cudaError_t count_status = cudaGetDeviceCount(&devices);
  if (count_status != cudaSuccess || devices == 0) {
    const std::string reason = count_status != cudaSuccess ? cudaGetErrorString(count_status)
                                                           : "cudaGetDeviceCount returned 0 devices";
    std::printf("no CUDA device: skipped (%s)\n", reason.c_str());
    if (!opt.json.empty()) write_json(opt.json, "", true, reason, 0);
    return 0;
  }
  CUDA_CHECK(cudaSetDevice(0));
  cudaDeviceProp prop;
  CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
  int runtime = 0, driver = 0;
  CUDA_CHECK(cudaRuntimeGetVersion(&runtime));
  CUDA_CHECK(cudaDriverGetVersion(&driver));
  cublasHandle_t cublas = nullptr;
  int cublas_version = 0;
  if (opt.matmul) {
    CUBLAS_CHECK(cublasCreate(&cublas));
    CUBLAS_CHECK(cublasGetVersion(cublas, &cublas_version));
  }
  cudnnHandle_t cudnn = nullptr;
  if (opt.softmax) CUDNN_CHECK(cudnnCreate(&cudnn));
  std::printf("device 0: %s, compute capability %d.%d, %d SMs, %.1f GiB, L2 %.0f MiB\n", prop.name, prop.major,
              prop.minor, prop.multiProcessorCount, prop.totalGlobalMem / 1073741824.0, prop.l2CacheSize / 1048576.0);
  std::printf("CUDA runtime %d, driver %d, cuBLAS %s, cuDNN %zu%s\n", runtime, driver,
              cublas ? std::to_string(cublas_version).c_str() : "(not loaded)", (size_t)cudnnGetVersion(),
              opt.quick ? "; --quick" : "");

  // 1. Correctness on awkward shapes (partial tiles, fewer columns than threads, odd sizes). Not timed.
  std::printf("\ncorrectness on edge shapes (not timed):\n");
  const size_t edge_begin = g_results.size();
  if (opt.matmul) {
    const int shapes[][3] = {{517, 388, 260}, {129, 132, 12}, {67, 45, 19}, {1, 4, 4}, {33, 1, 1}};
    for (const auto& s : shapes) run_matmul(s[0], s[1], s[2], false, opt, cublas);
  }
  if (opt.softmax) {
    const int shapes[][2] = {{3, 1}, {5, 37}, {67, 1000}, {9, 4099}, {2, 255}};
    for (const auto& s : shapes) run_softmax(s[0], s[1], false, opt, cudnn);
  }
  if (opt.layer_norm) {
    const int shapes[][2] = {{5, 4}, {3, 37}, {67, 132}, {9, 4100}, {2, 1000}};
    for (const auto& s : shapes) run_layer_norm(s[0], s[1], false, opt);
  }
  // one line per (ladder, shape): how many checks passed, which steps do not take the shape, what failed
  int edge_checked = 0;
  for (size_t i = edge_begin; i < g_results.size();) {
    size_t j = i;
    int ok = 0, checked = 0;
    std::string notes;
    for (; j < g_results.size() && g_results[j].ladder == g_results[i].ladder && g_results[j].shape == g_results[i].shape; ++j) {
      const Result& r = g_results[j];
      checked += r.checked;
      ok += r.checked && r.pass;
      if (!r.supported) notes += "; n/a: " + r.step + " (" + r.note + ")";
      if (r.checked && !r.pass) notes += "; FAIL: " + r.step + " error " + fmt("%.3e", r.error) + " > " + fmt("%.0e", r.tolerance);
    }
    std::printf("  %-10s %-12s %d/%d ok%s\n", g_results[i].ladder.c_str(), g_results[i].shape.c_str(), ok, checked,
                notes.c_str());
    edge_checked += checked;
    i = j;
  }
  std::printf("  %d checks run\n", edge_checked);

  // 2. The ladders, timed.
  if (opt.matmul)
    for (int n : opt.sizes) run_matmul(n, n, n, true, opt, cublas);
  if (opt.softmax)
    for (int c : opt.cols) run_softmax(opt.rows, c, true, opt, cudnn);
  if (opt.layer_norm)
    for (int c : opt.cols) run_layer_norm(opt.rows, c, true, opt);

  if (cudnn) CUDNN_CHECK(cudnnDestroy(cudnn));
  if (cublas) CUBLAS_CHECK(cublasDestroy(cublas));

  int checks = 0, failures = 0;
  for (const Result& r : g_results) {
    checks += r.checked;
    failures += r.checked && !r.pass;
  }
  if (!opt.json.empty()) write_json(opt.json, prop.name, false, "", failures);
  if (failures) {
    std::printf("\nFAILED: %d of %d correctness checks\n", failures, checks);
    for (const Result& r : g_results)
      if (r.checked && !r.pass)
        std::printf("  %s %s %s: error %s > tolerance %.0e\n", r.ladder.c_str(), r.shape.c_str(), r.step.c_str(),
                    fmt("%.3e", r.error).c_str(), r.tolerance);
    return 1;
  }
  std::printf("\nall %d correctness checks passed\n", checks);
  return 0;
}
