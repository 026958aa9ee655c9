// dgm_cuda_bench: the CUDA backend's per-op speed, on the GPU, in one run.
//
//   elementwise  add, mul, exp, relu on 16M float32 (contiguous), and a
//                (4096,4096) + (4096) broadcast add: GB/s of bytes read +
//                written, and % of the device-to-device copy bandwidth
//                (cudaMemcpyAsync device to device, measured in the same run). Target >= 80%.
//   matmul       dgm::matmul of CUDA tensors (the whole op path: checks,
//                output allocation, cuBLAS) against cublasSgemm called
//                directly on the same buffers, n = 512 ... 4096: TFLOP/s
//                (2 n^3 flops) and dgm/cuBLAS. Target >= 0.95.
//   reductions   sum of 16M floats, softmax of (16384, 1024): GB/s (the
//                bytes a single pass must read + write).
//   overhead     a + b on (1, 16) CUDA tensors: microseconds per op, host
//                side (10000 ops issued, then one synchronize).
//
// Timing: std::chrono around N calls bracketed by dgm::cuda::synchronize(),
// N chosen so that one measurement takes ~20 ms; the median of several
// measurements is reported. The two matmul variants alternate inside each
// repetition, so that clock and thermal changes hit both alike.
//
//   dgm_cuda_bench [--quick] [--json FILE]
// Without a GPU (or in a build without CUDA) it prints "skipped: <reason>" and
// exits 0.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <dgm/dgm.h>

#if DGM_WITH_CUDA
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <dgm/cuda/cublas_handle.h>
#endif

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

struct Options {
  bool quick = false;
  std::string json_path;
};

void write_json(const Options& opt, const json& j) {
  if (opt.json_path.empty()) return;
  std::ofstream f(opt.json_path);
  if (!f) throw dgm::Error("cannot write " + opt.json_path);
  f << j.dump(2) << "\n";
}

#if DGM_WITH_CUDA

// Seconds per call of f, over `iters` calls between two synchronizations.
double time_per_call(int64_t iters, const std::function<void()>& f) {
  dgm::cuda::synchronize();
  const auto t0 = Clock::now();
  for (int64_t i = 0; i < iters; ++i) f();
  dgm::cuda::synchronize();
  return std::chrono::duration<double>(Clock::now() - t0).count() / static_cast<double>(iters);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t h = v.size() / 2;
  return v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
}

struct Timing {
  int reps;
  double target_s;  // duration of one measurement
};

// How many calls make one measurement of about t.target_s (after a warm-up call).
int64_t calibrate(const Timing& t, const std::function<void()>& f) {
  f();
  const double one = time_per_call(1, f);
  const double n = t.target_s / std::max(one, 1e-7);
  return std::clamp<int64_t>(static_cast<int64_t>(n), 1, 20000);
}

// Median seconds per call.
double measure(const Timing& t, const std::function<void()>& f) {
  const int64_t iters = calibrate(t, f);
  std::vector<double> s;
  for (int r = 0; r < t.reps; ++r) s.push_back(time_per_call(iters, f));
  return median(s);
}

dgm::Tensor gpu_randn(const dgm::Shape& shape, uint64_t seed) {
  dgm::Generator gen(seed);
  return dgm::randn(shape, dgm::TensorOptions(dgm::kFloat32), &gen).to(dgm::kCUDA);
}

std::string mib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f MiB", bytes / (1024.0 * 1024.0));
  return buf;
}

// ---- elementwise: GB/s and % of the copy bandwidth ----
json bench_elementwise(const Timing& t) {
  using dgm::Tensor;
  const int64_t N = int64_t{1} << 24;  // 16M floats, 64 MiB
  Tensor x = gpu_randn({N}, 1), y = gpu_randn({N}, 2);
  Tensor dst = dgm::empty({N}, dgm::TensorOptions(dgm::kFloat32).device(dgm::kCUDA));
  Tensor X = x.view({4096, 4096}), row = gpu_randn({4096}, 3);
  const double f4 = 4.0;

  struct Row {
    std::string op, shape;
    double bytes;
    std::function<void()> f;
  };
  std::vector<Row> rows = {
      {"cudaMemcpy D2D (ref.)", "16M", 2 * f4 * N,
       [&] {
         cudaError_t e =
             cudaMemcpyAsync(dst.raw_data(), x.raw_data(), static_cast<size_t>(N) * 4, cudaMemcpyDeviceToDevice, 0);
         if (e != cudaSuccess) throw dgm::Error(std::string("cudaMemcpyAsync: ") + cudaGetErrorString(e));
       }},
      {"copy_", "16M", 2 * f4 * N, [&] { dst.copy_(x); }},
      {"add", "16M", 3 * f4 * N, [&] { Tensor r = x + y; }},
      {"mul", "16M", 3 * f4 * N, [&] { Tensor r = x * y; }},
      {"exp", "16M", 2 * f4 * N, [&] { Tensor r = x.exp(); }},
      {"relu", "16M", 2 * f4 * N, [&] { Tensor r = x.relu(); }},
      {"add, broadcast row", "(4096,4096)+(4096)", f4 * (2.0 * N + 4096), [&] { Tensor r = X + row; }},
  };
  json out = json::array();
  double copy_gbs = 0;
  std::printf("\nelementwise, float32 (16M elements = %s per tensor); target >= 80%% of the D2D copy\n",
              mib(f4 * N).c_str());
  std::printf("  %-22s %-20s %10s %10s %12s\n", "op", "shape", "us/call", "GB/s", "% of D2D");
  for (const Row& r : rows) {
    const double s = measure(t, r.f);
    const double gbs = r.bytes / s / 1e9;
    if (copy_gbs == 0) copy_gbs = gbs;
    const double pct = 100.0 * gbs / copy_gbs;
    std::printf("  %-22s %-20s %10.1f %10.1f %11.1f%%\n", r.op.c_str(), r.shape.c_str(), s * 1e6, gbs, pct);
    out.push_back({{"op", r.op},
                   {"shape", r.shape},
                   {"bytes", r.bytes},
                   {"seconds", s},
                   {"gb_per_s", gbs},
                   {"percent_of_copy", pct}});
  }
  return out;
}

// ---- matmul: dgm::matmul vs cublasSgemm on the same buffers ----
json bench_matmul(const Timing& t, const std::vector<int64_t>& sizes) {
  using dgm::Tensor;
  json out = json::array();
  std::printf("\nmatmul, float32 n x n (2 n^3 flops, no TF32); target dgm/cuBLAS >= 0.95\n");
  std::printf("  %-6s %8s %14s %16s %12s\n", "n", "calls", "dgm TFLOP/s", "cuBLAS TFLOP/s", "dgm/cuBLAS");
  cublasHandle_t h = dgm::cuda::cublas_handle();
  for (int64_t n : sizes) {
    Tensor A = gpu_randn({n, n}, 10 + n), B = gpu_randn({n, n}, 20 + n);
    Tensor C = dgm::empty({n, n}, dgm::TensorOptions(dgm::kFloat32).device(dgm::kCUDA));
    const float* pa = static_cast<const float*>(A.raw_data());
    const float* pb = static_cast<const float*>(B.raw_data());
    float* pc = static_cast<float*>(C.raw_data());
    const int ni = static_cast<int>(n);
    auto via_dgm = [&] { Tensor c = dgm::matmul(A, B); };
    // Row-major C = A B is column-major C^T = B^T A^T: B's buffer goes first.
    auto via_cublas = [&] {
      const float one = 1.0f, zero = 0.0f;
      dgm::cuda::check_cublas(cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, ni, ni, ni, &one, pb, ni, pa, ni, &zero, pc, ni),
                              "bench", "cublasSgemm", "");
    };
    // The same number of calls for both, calibrated on cuBLAS.
    const int64_t iters = calibrate(t, via_cublas);
    via_dgm();
    std::vector<double> td, tc;
    for (int r = 0; r < t.reps; ++r) {
      if (r % 2 == 0) {
        td.push_back(time_per_call(iters, via_dgm));
        tc.push_back(time_per_call(iters, via_cublas));
      } else {
        tc.push_back(time_per_call(iters, via_cublas));
        td.push_back(time_per_call(iters, via_dgm));
      }
    }
    const double flops = 2.0 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n);
    const double sd = median(td), sc = median(tc);
    const double tf_d = flops / sd / 1e12, tf_c = flops / sc / 1e12;
    std::printf("  %-6lld %8lld %14.2f %16.2f %12.3f\n", static_cast<long long>(n), static_cast<long long>(iters), tf_d,
                tf_c, tf_d / tf_c);
    out.push_back({{"n", n},
                   {"calls_per_measurement", iters},
                   {"dgm_seconds", sd},
                   {"cublas_seconds", sc},
                   {"dgm_tflops", tf_d},
                   {"cublas_tflops", tf_c},
                   {"ratio", tf_d / tf_c}});
  }
  return out;
}

// ---- reductions: sum and softmax ----
json bench_reductions(const Timing& t) {
  using dgm::Tensor;
  const int64_t N = int64_t{1} << 24;
  Tensor x = gpu_randn({N}, 4);
  Tensor S = gpu_randn({16384, 1024}, 5);
  struct Row {
    std::string op, shape;
    double bytes;
    std::function<void()> f;
  };
  std::vector<Row> rows = {
      {"sum", "16M", 4.0 * N, [&] { Tensor r = x.sum(); }},
      {"softmax(dim=-1)", "(16384,1024)", 2 * 4.0 * 16384 * 1024, [&] { Tensor r = dgm::softmax(S, -1); }},
  };
  json out = json::array();
  std::printf("\nreductions, float32 (GB/s of one read of the input + one write of the output)\n");
  std::printf("  %-22s %-20s %10s %10s\n", "op", "shape", "us/call", "GB/s");
  for (const Row& r : rows) {
    const double s = measure(t, r.f);
    const double gbs = r.bytes / s / 1e9;
    std::printf("  %-22s %-20s %10.1f %10.1f\n", r.op.c_str(), r.shape.c_str(), s * 1e6, gbs);
    out.push_back({{"op", r.op}, {"shape", r.shape}, {"bytes", r.bytes}, {"seconds", s}, {"gb_per_s", gbs}});
  }
  return out;
}

// ---- per-op overhead: a + b on (1, 16) ----
json bench_overhead(const Timing& t) {
  using dgm::Tensor;
  Tensor a = gpu_randn({1, 16}, 6), b = gpu_randn({1, 16}, 7);
  const int64_t ops = 10000;
  auto f = [&] { Tensor c = a + b; };
  f();
  std::vector<double> s;
  for (int r = 0; r < t.reps; ++r) s.push_back(time_per_call(ops, f));
  const double us = median(s) * 1e6;
  std::printf("\nper-op overhead: a + b on (1,16) CUDA tensors, %lld ops then synchronize: %.2f us/op\n",
              static_cast<long long>(ops), us);
  return {{"op", "add (1,16)"}, {"ops_per_measurement", ops}, {"us_per_op", us}};
}

#endif  // DGM_WITH_CUDA

int usage(const char* argv0, int code) {
  std::fprintf(code ? stderr : stdout, "usage: %s [--quick] [--json FILE]\n", argv0);
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick"))
      opt.quick = true;
    else if (!std::strcmp(argv[i], "--json") && i + 1 < argc)
      opt.json_path = argv[++i];
    else if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h"))
      return usage(argv[0], 0);
    else
      return usage(argv[0], 2);
  }
  try {
    if (!dgm::cuda::is_available()) {
      const std::string reason = dgm::cuda::unavailable_reason();
      std::printf("skipped: %s\n", reason.c_str());
      write_json(opt, {{"skipped", reason}});
      return 0;
    }
#if DGM_WITH_CUDA
    const Timing t = opt.quick ? Timing{3, 0.005} : Timing{11, 0.02};
    std::printf("dgm_cuda_bench on %s%s\n", dgm::cuda::device_name().c_str(), opt.quick ? " (--quick)" : "");
    json j;
    j["device"] = dgm::cuda::device_name();
    j["quick"] = opt.quick;
    j["repetitions"] = t.reps;
    j["elementwise"] = bench_elementwise(t);
    j["matmul"] = bench_matmul(t, {512, 1024, 2048, 4096});
    j["reductions"] = bench_reductions(t);
    j["overhead"] = bench_overhead(t);
    write_json(opt, j);
#endif
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dgm_cuda_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
