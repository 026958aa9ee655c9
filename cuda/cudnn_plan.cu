// The cuDNN plans of cuda/cudnn.h: descriptors per geometry, cached for the
// life of the process, the handle, and how many samples go to one call.
#include <map>

#include "cuda/cudnn.h"
#include "tensor/environment.h"

namespace dgm::cuda {
namespace {

// Never destroyed (plans hold cuDNN descriptors; destroying them after the
// CUDA runtime has shut down at exit would fail).
std::map<PlanKey, Plan>& plans() {
  static auto* m = new std::map<PlanKey, Plan>;
  return *m;
}

}  // namespace

std::mutex& cudnn_mutex() {
  static std::mutex* m = new std::mutex;
  return *m;
}

cudnnHandle_t cudnn_handle(const std::string& where) {
  static cudnnHandle_t handle = nullptr;
  if (handle == nullptr) {
    cudnnHandle_t h = nullptr;
    DGM_CUDNN_CHECK(cudnnCreate(&h), where);
    DGM_CUDNN_CHECK(cudnnSetStream(h, stream()), where);
    handle = h;
  }
  return handle;
}

// Samples per cuDNN call: the legacy API describes tensors with int sizes and
// strides, so each call's input and output stay below 2^31 elements. A
// multiple of 4 samples (when split at all) keeps every chunk's start 16-byte aligned.
int64_t cudnn_chunk(const Geo& g) {
  const int64_t per_sample = std::max<int64_t>({g.C * g.H * g.W, g.O * g.Ho * g.Wo, 1});
  int64_t chunk = std::clamp<int64_t>(INT_MAX / per_sample, 1, std::max<int64_t>(g.N, 1));
  if (chunk < g.N && chunk >= 4) chunk -= chunk % 4;
  return chunk;
}

Plan& plan_for(const Geo& g, DType dtype, const std::string& where) {
  const PlanKey key = {g.N,
                       g.C,
                       g.H,
                       g.W,
                       g.O,
                       g.kH,
                       g.kW,
                       g.Ho,
                       g.Wo,
                       g.sH,
                       g.sW,
                       g.pH,
                       g.pW,
                       g.dH,
                       g.dW,
                       g.groups,
                       static_cast<int64_t>(dtype)};
  auto it = plans().find(key);
  if (it != plans().end()) return it->second;
  Plan p;
  const int64_t sizes[] = {g.N,
                           g.C,
                           g.H,
                           g.W,
                           g.O,
                           g.kH,
                           g.kW,
                           g.Ho,
                           g.Wo,
                           g.sH,
                           g.sW,
                           g.pH,
                           g.pW,
                           g.dH,
                           g.dW,
                           g.groups,
                           g.C * g.H * g.W,
                           g.O * g.Ho * g.Wo};
  bool ints = true;
  for (int64_t s : sizes) ints = ints && fits_int(s);
  if (ints) {
    const cudnnDataType_t dt = dtype == kFloat64 ? CUDNN_DATA_DOUBLE : CUDNN_DATA_FLOAT;
    auto i = [](int64_t v) { return static_cast<int>(v); };
    DGM_CUDNN_CHECK(cudnnCreateTensorDescriptor(&p.x), where);
    DGM_CUDNN_CHECK(cudnnCreateTensorDescriptor(&p.y), where);
    DGM_CUDNN_CHECK(cudnnCreateFilterDescriptor(&p.w), where);
    DGM_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&p.conv), where);
    DGM_CUDNN_CHECK(cudnnSetTensor4dDescriptor(p.x, CUDNN_TENSOR_NCHW, dt, i(g.N), i(g.C), i(g.H), i(g.W)), where);
    DGM_CUDNN_CHECK(cudnnSetTensor4dDescriptor(p.y, CUDNN_TENSOR_NCHW, dt, i(g.N), i(g.O), i(g.Ho), i(g.Wo)), where);
    DGM_CUDNN_CHECK(cudnnSetFilter4dDescriptor(p.w, dt, CUDNN_TENSOR_NCHW, i(g.O), i(g.C / g.groups), i(g.kH), i(g.kW)),
                    where);
    DGM_CUDNN_CHECK(cudnnSetConvolution2dDescriptor(p.conv, i(g.pH), i(g.pW), i(g.sH), i(g.sW), i(g.dH), i(g.dW),
                                                    CUDNN_CROSS_CORRELATION, dt),
                    where);
    DGM_CUDNN_CHECK(cudnnSetConvolutionGroupCount(p.conv, i(g.groups)), where);
    // float32: FMA only, no TF32 tensor cores (see the top of this file).
    DGM_CUDNN_CHECK(cudnnSetConvolutionMathType(p.conv, dtype == kFloat32 ? CUDNN_FMA_MATH : CUDNN_DEFAULT_MATH),
                    where);
    int n = 0, c = 0, h = 0, w = 0;
    DGM_CUDNN_CHECK(cudnnGetConvolution2dForwardOutputDim(p.conv, p.x, p.w, &n, &c, &h, &w), where);
    p.usable = n == g.N && c == g.O && h == g.Ho && w == g.Wo;
  }
  return plans().emplace(key, p).first->second;
}

bool cudnn_supports(const Geo& g, DType dtype, const std::string& where) {
  Geo gc = g;
  gc.N = std::min(cudnn_chunk(g), g.N);
  std::lock_guard<std::mutex> lock(cudnn_mutex());
  cudnn_handle(where);
  return plan_for(gc, dtype, where).usable;
}

// How the algorithms are ranked: by running them (cudnnFind*, once per
// geometry: what torch.backends.cudnn.benchmark = True does), or, with
// DGM_CUDNN_BENCHMARK=0, by cuDNN's heuristics alone (cudnnGet*_v7, PyTorch's
// default). Measuring costs a few milliseconds per new geometry and picks the
// fastest algorithm for this GPU; course models use a handful of fixed shapes.
bool cudnn_benchmark() {
  static const bool on = env_flag("DGM_CUDNN_BENCHMARK", true);
  return on;
}

}  // namespace dgm::cuda
