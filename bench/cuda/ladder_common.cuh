// What the three ladders of dgm_kernel_ladder share: error checks, the command-line options they read,
// deterministic inputs and threads for the CPU references, device buffers, the timing loop (median_ms) and
// the result rows and table printing. Each ladder is one file (matmul_ladder.cu, softmax_ladder.cu,
// layer_norm_ladder.cu); kernel_ladder.cu holds the command line, the JSON output and main.
#pragma once
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <thread>
#include <vector>

namespace kernel_ladder {

// ---------------------------------------------------------------------------------------------------
// Error checking: every CUDA, cuBLAS and cuDNN call goes through one of these; a failure prints
// file:line, the call and the library's error string, and exits with status 2.
// ---------------------------------------------------------------------------------------------------
[[noreturn]] inline void die(const char* file, int line, const char* call, const char* message) {
  std::fprintf(stderr, "%s:%d: %s failed: %s\n", file, line, call, message);
  std::fflush(stdout);
  std::exit(2);
}
#define CUDA_CHECK(call)                                                               \
  do {                                                                                 \
    const cudaError_t err_ = (call);                                                   \
    if (err_ != cudaSuccess) die(__FILE__, __LINE__, #call, cudaGetErrorString(err_)); \
  } while (0)
#define CUBLAS_CHECK(call)                                                                        \
  do {                                                                                            \
    const cublasStatus_t st_ = (call);                                                            \
    if (st_ != CUBLAS_STATUS_SUCCESS) die(__FILE__, __LINE__, #call, cublasGetStatusString(st_)); \
  } while (0)
#define CUDNN_CHECK(call)                                                                      \
  do {                                                                                         \
    const cudnnStatus_t st_ = (call);                                                          \
    if (st_ != CUDNN_STATUS_SUCCESS) die(__FILE__, __LINE__, #call, cudnnGetErrorString(st_)); \
  } while (0)

// ---------------------------------------------------------------------------------------------------
// Command-line options (parsed in kernel_ladder.cu)
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
inline float uniform01(uint64_t seed, uint64_t i) {
  uint64_t z = seed * 0x9E3779B97F4A7C15ull + i + 0x632BE59BD9B4E019ull;  // splitmix64 of (seed, i)
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<float>(z >> 40) * 0x1p-24f;  // 24 random bits
}

inline float uniform(uint64_t seed, uint64_t i, float lo, float hi) { return lo + (hi - lo) * uniform01(seed, i); }

inline std::vector<float> random_vector(size_t n, uint64_t seed, float lo, float hi) {
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
  double ms = kNaN, rate = kNaN;    // rate in GFLOP/s (matmul) or GB/s (softmax, layer_norm)
  int batch = 0;                    // runs per timing sample (see median_ms)
  double pct1 = kNaN, pct2 = kNaN;  // % of the reference(s), see the table headers
  double error = kNaN, tolerance = kNaN;
  std::string note;
};

// Every result of the run, in order: printed per table as it comes, written to --json at the end.
inline std::vector<Result> g_results;

inline void print_header(const char* title, const char* rate_unit, const char* pct1, const char* pct2,
                         const char* error_name) {
  std::printf("\n%s\n", title);
  std::printf("  %-28s %10s %11s %12s %12s %13s  %s\n", "step", "ms", rate_unit, pct1, pct2, error_name, "check");
}

inline std::string fmt(const char* format, double v) {
  if (std::isnan(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

inline void print_result(const Result& r) {
  std::string check;
  if (!r.supported)
    check = "n/a (" + r.note + ")";
  else if (!r.checked)
    check = "-";
  else
    check = std::string(r.pass ? "ok" : "FAIL") + " (tol " + fmt("%.0e", r.tolerance) + ")";
  std::printf("  %-28s %10s %11s %12s %12s %13s  %s\n", r.step.c_str(), fmt("%.4f", r.ms).c_str(),
              fmt("%.1f", r.rate).c_str(), fmt("%.1f%%", r.pct1).c_str(), fmt("%.1f%%", r.pct2).c_str(),
              fmt("%.2e", r.error).c_str(), check.c_str());
}

inline void finish_error(Result& r, double error, double tolerance) {
  r.checked = true;
  r.error = error;
  r.tolerance = tolerance;
  r.pass = error <= tolerance;  // false for NaN
}

}  // namespace kernel_ladder
