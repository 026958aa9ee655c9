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
//
// One file per ladder (matmul_ladder.cu, softmax_ladder.cu, layer_norm_ladder.cu, declared in ladders.h),
// sharing ladder_common.cuh (checks, inputs, timing, result rows); this file: command line, JSON, main.
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "ladders.h"

namespace kernel_ladder {
namespace {

// ---------------------------------------------------------------------------------------------------
// Command line (Options: ladder_common.cuh)
// ---------------------------------------------------------------------------------------------------
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
  if (text.empty() || *end != '\0' || v <= 0 || v > (1L << 30))
    usage_error(std::string("bad value for ") + flag + ": '" + text + "'");
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
        if (name == "matmul")
          opt.matmul = true;
        else if (name == "softmax")
          opt.softmax = true;
        else if (name == "layer_norm")
          opt.layer_norm = true;
        else
          usage_error("unknown ladder '" + name + "' (matmul, softmax, layer_norm)");
      }
    } else {
      usage_error("unknown argument '" + arg + "'");
    }
  }
  return opt;
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
  std::fprintf(f, "{\n  \"device\": %s,\n  \"skipped\": %s,\n", json_string(device).c_str(),
               skipped ? "true" : "false");
  if (skipped) std::fprintf(f, "  \"reason\": %s,\n", json_string(reason).c_str());
  std::fprintf(f, "  \"failures\": %d,\n  \"results\": [", failures);
  for (size_t i = 0; i < g_results.size(); ++i) {
    const Result& r = g_results[i];
    const bool matmul = r.ladder == "matmul";
    std::fprintf(f, "%s\n    {\"ladder\": %s, \"shape\": %s, \"step\": %s, \"reference\": %s, \"timed\": %s, ",
                 i ? "," : "", json_string(r.ladder).c_str(), json_string(r.shape).c_str(), json_string(r.step).c_str(),
                 r.reference ? "true" : "false", r.timed ? "true" : "false");
    std::fprintf(f,
                 "\"supported\": %s, \"checked\": %s, \"pass\": %s, \"ms\": %s, \"runs_per_sample\": %d, \"%s\": %s, ",
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
}  // namespace kernel_ladder

using namespace kernel_ladder;

int main(int argc, char** argv) {
  const Options opt = parse_options(argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // line-buffered, so progress shows up when piped

  int devices = 0;
  const cudaError_t count_status = cudaGetDeviceCount(&devices);
  if (count_status != cudaSuccess || devices == 0) {
    const std::string reason =
        count_status != cudaSuccess ? cudaGetErrorString(count_status) : "cudaGetDeviceCount returned 0 devices";
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
    for (;
         j < g_results.size() && g_results[j].ladder == g_results[i].ladder && g_results[j].shape == g_results[i].shape;
         ++j) {
      const Result& r = g_results[j];
      checked += r.checked;
      ok += r.checked && r.pass;
      if (!r.supported) notes += "; n/a: " + r.step + " (" + r.note + ")";
      if (r.checked && !r.pass)
        notes += "; FAIL: " + r.step + " error " + fmt("%.3e", r.error) + " > " + fmt("%.0e", r.tolerance);
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
