// cuDNN's side of the convolutions (internal): the error check, the handle,
// and per geometry a Plan: the descriptors and, per direction, the
// algorithms ranked best (cudnn_plan.cu builds and caches them; conv_cudnn.cu
// runs them).
//
// For each geometry (sizes, stride, padding, dilation, groups, dtype) the
// algorithms are ranked by timing them once (cudnnFind*; DGM_CUDNN_BENCHMARK=0
// uses cuDNN's heuristics, cudnnGet*Algorithm_v7, instead), so after the
// first call a convolution costs a map lookup plus the cuDNN call. The
// workspace an algorithm needs comes from dgm's caching allocator (a byte
// tensor that lives for the call). float32 convolutions run with
// CUDNN_FMA_MATH: cuDNN's DEFAULT math lets an A100/H100 round float32 inputs
// to TF32 (10-bit mantissa), which would put the results 1e-3 away from the
// CPU's; FMA math keeps full float32 products.
#pragma once
#include <cudnn.h>

#include <algorithm>
#include <array>
#include <mutex>
#include <string>
#include <vector>

#include "cuda/conv.cuh"
#include "cuda/runtime.h"

namespace dgm::cuda {

[[noreturn]] inline void cudnn_fail(const std::string& where, const char* call, cudnnStatus_t s) {
  DGM_FAIL(where, ": ", call, " failed: ", cudnnGetErrorString(s), " (", static_cast<int>(s),
           "); DGM_CUDA_CONV=im2col runs convolutions without cuDNN");
}

#define DGM_CUDNN_CHECK(expr, where)                                        \
  do {                                                                      \
    cudnnStatus_t dgm_st_ = (expr);                                         \
    if (dgm_st_ != CUDNN_STATUS_SUCCESS) cudnn_fail(where, #expr, dgm_st_); \
  } while (0)

// Algorithms may ask for at most this much workspace (the next candidate is used otherwise).
constexpr size_t kMaxWorkspace = size_t{1} << 30;

struct Candidate {
  int algo;          // a cudnnConvolution{Fwd,BwdData,BwdFilter}Algo_t
  size_t workspace;  // bytes
};

// The algorithms for one direction, best first; `pick` moves on when cuDNN
// turns one down at run time (NOT_SUPPORTED), and stays there for later calls.
struct AlgoChoice {
  bool searched = false;
  std::vector<Candidate> candidates;
  size_t pick = 0;
};

// Descriptors and chosen algorithms of one geometry (with N the chunk's batch).
struct Plan {
  bool usable = false;  // cuDNN's output size for this input equals the geometry's (Ho, Wo)
  cudnnTensorDescriptor_t x = nullptr, y = nullptr;
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  AlgoChoice fwd, data, filter;
};

using PlanKey = std::array<int64_t, 17>;

// One lock for the handle and the plans: the handle is not to be used by two threads at once.
std::mutex& cudnn_mutex();
// One handle, created on first use, bound to stream 0. Caller holds cudnn_mutex().
cudnnHandle_t cudnn_handle(const std::string& where);
// Samples per cuDNN call (each call's tensors stay below 2^31 elements).
int64_t cudnn_chunk(const Geo& g);
// The plan of geometry g (g.N = samples per call). Caller holds cudnn_mutex().
Plan& plan_for(const Geo& g, DType dtype, const std::string& where);
// Rank algorithms by running them (true, the default) or by cuDNN's heuristics.
bool cudnn_benchmark();

// Fills `choice` from cuDNN's ranking: every algorithm it reports as
// runnable, those with the descriptor's math type first (float32: FMA),
// then `fallback` (an algorithm that runs every geometry without workspace).
// get(count, &returned, perf) and workspace(algo, &bytes) wrap the cuDNN calls.
template <typename Perf, int Count, typename Get, typename Workspace>
void search(AlgoChoice& choice, DType dtype, int fallback, const std::string& where, const char* get_name, Get get,
            Workspace workspace) {
  Perf perf[Count];
  int returned = 0;
  const cudnnStatus_t s = get(Count, &returned, perf);
  if (s != CUDNN_STATUS_SUCCESS) cudnn_fail(where, get_name, s);
  auto add = [&](int algo) {
    for (const Candidate& c : choice.candidates)
      if (c.algo == algo) return;
    size_t bytes = 0;
    if (workspace(algo, &bytes) != CUDNN_STATUS_SUCCESS || bytes > kMaxWorkspace) return;
    choice.candidates.push_back({algo, bytes});
  };
  for (int pass = 0; pass < 2; ++pass)
    for (int k = 0; k < std::min(returned, Count); ++k) {
      if (perf[k].status != CUDNN_STATUS_SUCCESS) continue;
      if (pass == 0 && dtype == kFloat32 && perf[k].mathType != CUDNN_FMA_MATH) continue;
      add(static_cast<int>(perf[k].algo));
    }
  add(fallback);
  DGM_CHECK(!choice.candidates.empty(), where, ": cuDNN offers no algorithm for this convolution ",
            "(DGM_CUDA_CONV=im2col runs it without cuDNN)");
  choice.searched = true;
}

// Runs run(algo, workspace, bytes) with the chosen algorithm; if cuDNN turns
// it down as not supported, moves on to the next candidate for good.
template <typename Run>
void run_with_fallback(AlgoChoice& choice, const std::string& where, const char* call, Run run) {
  cudnnStatus_t last = CUDNN_STATUS_NOT_SUPPORTED;
  while (choice.pick < choice.candidates.size()) {
    const Candidate c = choice.candidates[choice.pick];
    // Freed when this call returns, while cuDNN's kernel may still run: fine,
    // the next user of the block is queued on the same stream after it.
    Tensor ws = c.workspace > 0 ? empty({static_cast<int64_t>(c.workspace)}, kBool, Device(kCUDA)) : Tensor();
    last = run(c.algo, ws.defined() ? ws.raw_data() : nullptr, c.workspace);
    if (last == CUDNN_STATUS_SUCCESS) return check_launch(where.c_str());
    if (static_cast<int>(last) / 1000 * 1000 != static_cast<int>(CUDNN_STATUS_NOT_SUPPORTED))
      cudnn_fail(where, call, last);  // only "not supported" (the 3000 family) means: try another algorithm
    ++choice.pick;
  }
  cudnn_fail(where, call, last);
}

}  // namespace dgm::cuda
