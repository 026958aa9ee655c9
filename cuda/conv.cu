// CUDA convolutions: conv2d and its two adjoints (tensor/kernels/conv.h), by
// two paths that compute the same three linear maps.
//
// cuDNN (the default): cudnnConvolutionForward / BackwardData / BackwardFilter
// of cuDNN's legacy API. For each geometry (sizes, stride, padding, dilation,
// groups, dtype) a Plan holds the cuDNN descriptors and, per direction, the
// algorithms ranked best by timing them once (cudnnFind*; DGM_CUDNN_BENCHMARK=0
// uses cuDNN's heuristics, cudnnGet*Algorithm_v7, instead), so after
// the first call a convolution costs a map lookup plus the cuDNN call. The
// workspace an algorithm needs comes from dgm's caching allocator (a byte
// tensor that lives for the call). float32 convolutions run with
// CUDNN_FMA_MATH: cuDNN's DEFAULT math lets an A100/H100 round float32 inputs
// to TF32 (10-bit mantissa), which would put the results 1e-3 away from the
// CPU's; FMA math keeps full float32 products.
//
// im2col + cuBLAS (environment DGM_CUDA_CONV=im2col): the teaching path,
// the CPU's algorithm (tensor/cpu/conv.cpp) on the GPU. im2col copies every
// receptive field into a column (cuda/conv_im2col.cuh), then one GEMM per group
//   y_g = w_g @ col_g            dx = col2im(w_g^T @ gy_g)        dw_g = sum_n gy_n,g @ col_n,g^T
// It is also where geometries cuDNN cannot describe go (sizes beyond int32,
// conv_transpose2d's output_padding >= stride, which makes the geometry's H
// larger than cuDNN's forward output formula allows).
//
// Everything runs on stream 0 (cuda/runtime.h), the cuDNN and cuBLAS handles
// included, so a workspace freed at the end of a call can be reused at once.
#include <cublas_v2.h>
#include <cudnn.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "cuda/conv_im2col.cuh"
#include "cuda/kernels.h"
#include "cuda/runtime.h"
#include "tensor/kernels/elementwise.h"

namespace dgm::cuda {
namespace {

using Geo = kernels::Conv2dGeometry;

// "input (2,3,8,8), weight (4,3,3,3), output (2,4,8,8), stride (1,1), padding (1,1), dilation (1,1), groups 1, float32"
std::string geo_str(const Geo& g, DType dtype) {
  return detail::concat("input (", g.N, ",", g.C, ",", g.H, ",", g.W, "), weight (", g.O, ",",
                        g.groups > 0 ? g.C / g.groups : 0, ",", g.kH, ",", g.kW, "), output (", g.N, ",", g.O, ",",
                        g.Ho, ",", g.Wo, "), stride (", g.sH, ",", g.sW, "), padding (", g.pH, ",", g.pW,
                        "), dilation (", g.dH, ",", g.dW, "), groups ", g.groups, ", ", dtype_name(dtype));
}

// ---- checks shared by the three entry points ----

void check_shape(const char* op, const char* what, const Tensor& t, const Shape& expected) {
  DGM_CHECK(t.shape() == expected, op, ": expected ", what, " of shape ", shape_str(expected), ", got ",
            shape_str(t.shape()));
}

void check_dtypes(const char* op, const Tensor& a, const Tensor& b) {
  DGM_CHECK(a.dtype() == b.dtype(), op, ": expected one dtype, got ", dtype_name(a.dtype()), " and ",
            dtype_name(b.dtype()));
  DGM_CHECK(a.dtype() == kFloat32 || a.dtype() == kFloat64, op, ": expected float32 or float64, got ",
            dtype_name(a.dtype()));
}

// The front ends pass contiguous tensors; anything else is packed here. So
// is a view starting at an address that is not a multiple of 16 bytes (a
// slice of a batch), which some cuDNN kernels' vector loads cannot read; a
// fresh block from the allocator is always aligned.
Tensor contig(const Tensor& t) {
  if (!t.defined()) return t;
  const bool aligned = reinterpret_cast<uintptr_t>(t.raw_data()) % 16 == 0;
  return t.is_contiguous() && aligned ? t : kernels::copy_to_new(t);
}

void zero_fill(const Tensor& t, const char* op) {
  if (t.numel() > 0)
    DGM_CUDA_CHECK(cudaMemsetAsync(t.raw_data(), 0, static_cast<size_t>(t.numel()) * t.element_size(), stream()), op);
}

bool fits_int(int64_t v) { return v >= 0 && v <= INT_MAX; }

// ---- which path ----

enum class Path { Cudnn, Im2col };

// Read on every call (getenv is cheap next to a convolution), so a program or
// a test can switch paths while running.
Path conv_path() {
  const char* v = std::getenv("DGM_CUDA_CONV");
  if (v == nullptr || *v == '\0' || std::string(v) == "cudnn") return Path::Cudnn;
  if (std::string(v) == "im2col") return Path::Im2col;
  DGM_FAIL("conv2d: environment variable DGM_CUDA_CONV must be \"cudnn\" or \"im2col\", got \"", v, "\"");
}

// =====================================================================
// The im2col + cuBLAS path
// =====================================================================

cublasHandle_t cublas_handle() {
  static std::mutex mutex;
  static cublasHandle_t handle = nullptr;  // never destroyed: tensors (and work) may outlive static destructors
  std::lock_guard<std::mutex> lock(mutex);
  if (handle == nullptr) {
    cublasHandle_t h = nullptr;
    cublasStatus_t s = cublasCreate(&h);
    if (s != CUBLAS_STATUS_SUCCESS) DGM_FAIL("conv2d (im2col): cublasCreate failed: ", cublasGetStatusString(s));
    s = cublasSetStream(h, stream());
    if (s == CUBLAS_STATUS_SUCCESS) s = cublasSetMathMode(h, CUBLAS_DEFAULT_MATH);  // no TF32
    if (s != CUBLAS_STATUS_SUCCESS) DGM_FAIL("conv2d (im2col): cuBLAS setup failed: ", cublasGetStatusString(s));
    handle = h;
  }
  return handle;
}

inline cublasStatus_t gemm_strided_batched(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n,
                                           int k, const float* alpha, const float* A, int lda, long long sA,
                                           const float* B, int ldb, long long sB, const float* beta, float* C, int ldc,
                                           long long sC, int batch) {
  return cublasSgemmStridedBatched(h, ta, tb, m, n, k, alpha, A, lda, sA, B, ldb, sB, beta, C, ldc, sC, batch);
}
inline cublasStatus_t gemm_strided_batched(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n,
                                           int k, const double* alpha, const double* A, int lda, long long sA,
                                           const double* B, int ldb, long long sB, const double* beta, double* C,
                                           int ldc, long long sC, int batch) {
  return cublasDgemmStridedBatched(h, ta, tb, m, n, k, alpha, A, lda, sA, B, ldb, sB, beta, C, ldc, sC, batch);
}

// Row-major C (M x N) = op(A) (M x K) @ op(B) (K x N) + beta C, for `batch`
// matrices at element strides sA, sB, sC (0: the same matrix for all).
// cuBLAS is column-major, where a row-major matrix reads as its transpose, so
// this asks cuBLAS for C^T = op(B)^T @ op(A)^T: the operands swap places.
template <typename T>
void gemm_rm(const std::string& where, bool ta, bool tb, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda,
             int64_t sA, const T* B, int64_t ldb, int64_t sB, T beta, T* C, int64_t ldc, int64_t sC, int64_t batch) {
  DGM_CHECK(fits_int(M) && fits_int(N) && fits_int(K) && fits_int(lda) && fits_int(ldb) && fits_int(ldc) &&
                fits_int(batch),
            where, ": a GEMM of size ", M, " x ", N, " x ", K, " (batch ", batch, ") exceeds cuBLAS's int32 sizes");
  const T alpha = 1;
  cublasStatus_t s = gemm_strided_batched(cublas_handle(), tb ? CUBLAS_OP_T : CUBLAS_OP_N, ta ? CUBLAS_OP_T : CUBLAS_OP_N,
                                          static_cast<int>(N), static_cast<int>(M), static_cast<int>(K), &alpha, B,
                                          static_cast<int>(ldb), sB, A, static_cast<int>(lda), sA, &beta, C,
                                          static_cast<int>(ldc), sC, static_cast<int>(batch));
  if (s != CUBLAS_STATUS_SUCCESS) DGM_FAIL(where, ": cuBLAS GEMM failed: ", cublasGetStatusString(s));
  check_launch(where.c_str());
}

// A 1x1 kernel with stride 1 and no padding reads x itself: col(x) = x.
bool is_pointwise(const Geo& g) {
  return g.kH == 1 && g.kW == 1 && g.sH == 1 && g.sW == 1 && g.pH == 0 && g.pW == 0 && g.Ho == g.H && g.Wo == g.W;
}

// Samples per im2col chunk: col holds at most ~64M numbers (256 MB in float32).
int64_t im2col_chunk(const Geo& g) {
  const int64_t per_sample = std::max<int64_t>(1, g.C * g.kH * g.kW * g.Ho * g.Wo);
  return std::clamp<int64_t>((int64_t{1} << 26) / per_sample, 1, std::max<int64_t>(g.N, 1));
}

// col (n samples) = im2col(x)
template <typename T>
void launch_im2col(const T* x, T* col, int64_t n, const Geo& g, const std::string& where) {
  const int64_t total = n * g.C * g.kH * g.kW * g.Ho * g.Wo;
  if (total == 0) return;
  im2col_kernel<T><<<grid_for(total), kBlock, 0, stream()>>>(x, col, total, g);
  check_launch(where.c_str());
}

// x (n samples) = col2im(col)
template <typename T>
void launch_col2im(const T* col, T* x, int64_t n, const Geo& g, const std::string& where) {
  const int64_t total = n * g.C * g.H * g.W;
  if (total == 0) return;
  col2im_kernel<T><<<grid_for(total), kBlock, 0, stream()>>>(col, x, total, g);
  check_launch(where.c_str());
}

// y_n,g = w_g @ col(x_n)_g: per chunk of samples, one batched GEMM per group
// (the batch runs over the samples; every sample uses the same w_g).
template <typename T>
void forward_im2col(const T* x, const T* w, T* y, const Geo& g, const std::string& where) {
  const int64_t Cg = g.C / g.groups, Og = g.O / g.groups, K = Cg * g.kH * g.kW, P = g.Ho * g.Wo;
  const int64_t KC = g.C * g.kH * g.kW;  // rows of one sample's col (all groups)
  const bool pointwise = is_pointwise(g);
  const int64_t chunk = im2col_chunk(g);
  Tensor col = pointwise ? Tensor() : empty({chunk * KC * P}, dtype_of<T>(), Device(kCUDA));
  for (int64_t n0 = 0; n0 < g.N; n0 += chunk) {
    const int64_t nc = std::min(chunk, g.N - n0);
    const T* xn = x + n0 * g.C * g.H * g.W;
    const T* src = xn;  // (nc, KC, P); for a pointwise kernel KC*P = C*H*W, so x is its own col
    if (!pointwise) {
      launch_im2col(xn, col.data_ptr<T>(), nc, g, where);
      src = col.data_ptr<T>();
    }
    for (int64_t gi = 0; gi < g.groups; ++gi)
      gemm_rm<T>(where, false, false, Og, P, K, w + gi * Og * K, K, 0, src + gi * K * P, P, KC * P, T(0),
                 y + n0 * g.O * P + gi * Og * P, P, g.O * P, nc);
  }
}

// col_n,g = w_g^T @ gy_n,g, then dx_n = col2im(col_n)
template <typename T>
void input_grad_im2col(const T* gy, const T* w, T* dx, const Geo& g, const std::string& where) {
  const int64_t Cg = g.C / g.groups, Og = g.O / g.groups, K = Cg * g.kH * g.kW, P = g.Ho * g.Wo;
  const int64_t KC = g.C * g.kH * g.kW;
  const bool pointwise = is_pointwise(g);
  const int64_t chunk = im2col_chunk(g);
  Tensor col = pointwise ? Tensor() : empty({chunk * KC * P}, dtype_of<T>(), Device(kCUDA));
  for (int64_t n0 = 0; n0 < g.N; n0 += chunk) {
    const int64_t nc = std::min(chunk, g.N - n0);
    T* dxn = dx + n0 * g.C * g.H * g.W;
    T* dst = pointwise ? dxn : col.data_ptr<T>();  // pointwise: col2im is the identity
    for (int64_t gi = 0; gi < g.groups; ++gi)
      gemm_rm<T>(where, true, false, K, P, Og, w + gi * Og * K, K, 0, gy + n0 * g.O * P + gi * Og * P, P, g.O * P,
                 T(0), dst + gi * K * P, P, KC * P, nc);
    if (!pointwise) launch_col2im(col.data_ptr<T>(), dxn, nc, g, where);
  }
}

// dw_g = sum_n gy_n,g @ col(x_n)_g^T: one GEMM per sample, batched over the
// groups, accumulating into dw (beta = 1 after the first sample).
template <typename T>
void weight_grad_im2col(const T* x, const T* gy, T* dw, const Geo& g, const std::string& where) {
  const int64_t Cg = g.C / g.groups, Og = g.O / g.groups, K = Cg * g.kH * g.kW, P = g.Ho * g.Wo;
  const int64_t KC = g.C * g.kH * g.kW;
  const bool pointwise = is_pointwise(g);
  const int64_t chunk = im2col_chunk(g);
  Tensor col = pointwise ? Tensor() : empty({chunk * KC * P}, dtype_of<T>(), Device(kCUDA));
  for (int64_t n0 = 0; n0 < g.N; n0 += chunk) {
    const int64_t nc = std::min(chunk, g.N - n0);
    const T* xn = x + n0 * g.C * g.H * g.W;
    const T* src = xn;
    if (!pointwise) {
      launch_im2col(xn, col.data_ptr<T>(), nc, g, where);
      src = col.data_ptr<T>();
    }
    for (int64_t s = 0; s < nc; ++s)
      gemm_rm<T>(where, false, true, Og, K, P, gy + (n0 + s) * g.O * P, P, Og * P, src + s * KC * P, P, K * P,
                 n0 + s == 0 ? T(0) : T(1), dw, K, Og * K, g.groups);
  }
}

// =====================================================================
// The cuDNN path
// =====================================================================

[[noreturn]] void cudnn_fail(const std::string& where, const char* call, cudnnStatus_t s) {
  DGM_FAIL(where, ": ", call, " failed: ", cudnnGetErrorString(s), " (", static_cast<int>(s),
           "); DGM_CUDA_CONV=im2col runs convolutions without cuDNN");
}

#define DGM_CUDNN_CHECK(expr, where)                           \
  do {                                                          \
    cudnnStatus_t dgm_st_ = (expr);                             \
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
std::mutex& cudnn_mutex() {
  static std::mutex* m = new std::mutex;
  return *m;
}

// Never destroyed (plans hold cuDNN descriptors; destroying them after the
// CUDA runtime has shut down at exit would fail).
std::map<PlanKey, Plan>& plans() {
  static auto* m = new std::map<PlanKey, Plan>;
  return *m;
}

// One handle, created on first use, bound to stream 0. Caller holds cudnn_mutex().
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

// The plan of geometry g (g.N = samples per call). Caller holds cudnn_mutex().
Plan& plan_for(const Geo& g, DType dtype, const std::string& where) {
  const PlanKey key = {g.N,  g.C,  g.H,  g.W,  g.O,  g.kH, g.kW, g.Ho,     g.Wo,
                       g.sH, g.sW, g.pH, g.pW, g.dH, g.dW, g.groups, static_cast<int64_t>(dtype)};
  auto it = plans().find(key);
  if (it != plans().end()) return it->second;
  Plan p;
  const int64_t sizes[] = {g.N, g.C, g.H, g.W, g.O, g.kH, g.kW, g.Ho, g.Wo, g.sH, g.sW, g.pH, g.pW, g.dH, g.dW,
                           g.groups, g.C * g.H * g.W, g.O * g.Ho * g.Wo};
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

// Can cuDNN run this geometry? (Else the im2col path does.)
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
  static const bool on = [] {
    const char* v = std::getenv("DGM_CUDNN_BENCHMARK");
    return !(v && std::string(v) == "0");
  }();
  return on;
}

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

// y = conv(x, w), one cuDNN call per chunk of samples.
template <typename T>
void forward_cudnn(const T* x, const T* w, T* y, const Geo& g, DType dtype, const std::string& where) {
  std::lock_guard<std::mutex> lock(cudnn_mutex());
  cudnnHandle_t h = cudnn_handle(where);
  const int64_t chunk = cudnn_chunk(g);
  const T one = 1, zero = 0;
  for (int64_t n0 = 0; n0 < g.N; n0 += chunk) {
    Geo gc = g;
    gc.N = std::min(chunk, g.N - n0);
    Plan& p = plan_for(gc, dtype, where);
    if (!p.fwd.searched)
      search<cudnnConvolutionFwdAlgoPerf_t, CUDNN_CONVOLUTION_FWD_ALGO_COUNT>(
          p.fwd, dtype, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, where, "cudnnGetConvolutionForwardAlgorithm_v7",
          [&](int count, int* returned, cudnnConvolutionFwdAlgoPerf_t* perf) {
            return (cudnn_benchmark() ? cudnnFindConvolutionForwardAlgorithm : cudnnGetConvolutionForwardAlgorithm_v7)(h, p.x, p.w, p.conv, p.y, count, returned, perf);
          },
          [&](int algo, size_t* bytes) {
            return cudnnGetConvolutionForwardWorkspaceSize(h, p.x, p.w, p.conv, p.y,
                                                           static_cast<cudnnConvolutionFwdAlgo_t>(algo), bytes);
          });
    const T* xc = x + n0 * g.C * g.H * g.W;
    T* yc = y + n0 * g.O * g.Ho * g.Wo;
    run_with_fallback(p.fwd, where, "cudnnConvolutionForward", [&](int algo, void* ws, size_t bytes) {
      return cudnnConvolutionForward(h, &one, p.x, xc, p.w, w, p.conv, static_cast<cudnnConvolutionFwdAlgo_t>(algo), ws,
                                     bytes, &zero, p.y, yc);
    });
  }
}

// dx = conv^T(gy, w)
template <typename T>
void input_grad_cudnn(const T* gy, const T* w, T* dx, const Geo& g, DType dtype, const std::string& where) {
  std::lock_guard<std::mutex> lock(cudnn_mutex());
  cudnnHandle_t h = cudnn_handle(where);
  const int64_t chunk = cudnn_chunk(g);
  const T one = 1, zero = 0;
  for (int64_t n0 = 0; n0 < g.N; n0 += chunk) {
    Geo gc = g;
    gc.N = std::min(chunk, g.N - n0);
    Plan& p = plan_for(gc, dtype, where);
    if (!p.data.searched)
      search<cudnnConvolutionBwdDataAlgoPerf_t, CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT>(
          p.data, dtype, CUDNN_CONVOLUTION_BWD_DATA_ALGO_0, where, "cudnnGetConvolutionBackwardDataAlgorithm_v7",
          [&](int count, int* returned, cudnnConvolutionBwdDataAlgoPerf_t* perf) {
            return (cudnn_benchmark() ? cudnnFindConvolutionBackwardDataAlgorithm : cudnnGetConvolutionBackwardDataAlgorithm_v7)(h, p.w, p.y, p.conv, p.x, count, returned, perf);
          },
          [&](int algo, size_t* bytes) {
            return cudnnGetConvolutionBackwardDataWorkspaceSize(
                h, p.w, p.y, p.conv, p.x, static_cast<cudnnConvolutionBwdDataAlgo_t>(algo), bytes);
          });
    const T* gyc = gy + n0 * g.O * g.Ho * g.Wo;
    T* dxc = dx + n0 * g.C * g.H * g.W;
    run_with_fallback(p.data, where, "cudnnConvolutionBackwardData", [&](int algo, void* ws, size_t bytes) {
      return cudnnConvolutionBackwardData(h, &one, p.w, w, p.y, gyc, p.conv,
                                          static_cast<cudnnConvolutionBwdDataAlgo_t>(algo), ws, bytes, &zero, p.x, dxc);
    });
  }
}

// dw = sum over the chunks of each chunk's weight gradient (beta = 1 after the first).
template <typename T>
void weight_grad_cudnn(const T* x, const T* gy, T* dw, const Geo& g, DType dtype, const std::string& where) {
  std::lock_guard<std::mutex> lock(cudnn_mutex());
  cudnnHandle_t h = cudnn_handle(where);
  const int64_t chunk = cudnn_chunk(g);
  const T one = 1, zero = 0;
  for (int64_t n0 = 0; n0 < g.N; n0 += chunk) {
    Geo gc = g;
    gc.N = std::min(chunk, g.N - n0);
    Plan& p = plan_for(gc, dtype, where);
    if (!p.filter.searched)
      search<cudnnConvolutionBwdFilterAlgoPerf_t, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT>(
          p.filter, dtype, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0, where, "cudnnGetConvolutionBackwardFilterAlgorithm_v7",
          [&](int count, int* returned, cudnnConvolutionBwdFilterAlgoPerf_t* perf) {
            return (cudnn_benchmark() ? cudnnFindConvolutionBackwardFilterAlgorithm : cudnnGetConvolutionBackwardFilterAlgorithm_v7)(h, p.x, p.y, p.conv, p.w, count, returned, perf);
          },
          [&](int algo, size_t* bytes) {
            return cudnnGetConvolutionBackwardFilterWorkspaceSize(
                h, p.x, p.y, p.conv, p.w, static_cast<cudnnConvolutionBwdFilterAlgo_t>(algo), bytes);
          });
    const T* xc = x + n0 * g.C * g.H * g.W;
    const T* gyc = gy + n0 * g.O * g.Ho * g.Wo;
    const T* beta = n0 == 0 ? &zero : &one;
    run_with_fallback(p.filter, where, "cudnnConvolutionBackwardFilter", [&](int algo, void* ws, size_t bytes) {
      return cudnnConvolutionBackwardFilter(h, &one, p.x, xc, p.y, gyc, p.conv,
                                            static_cast<cudnnConvolutionBwdFilterAlgo_t>(algo), ws, bytes, beta, p.w,
                                            dw);
    });
  }
}

#undef DGM_CUDNN_CHECK

// =====================================================================
// The entry points: checks, empty cases, the path
// =====================================================================

bool use_cudnn(const Geo& g, DType dtype, const std::string& where) {
  return conv_path() == Path::Cudnn && cudnn_supports(g, dtype, where);
}

template <typename T>
void forward_typed(const Tensor& x, const Tensor& w, const Tensor& bias, const Tensor& y, const Geo& g) {
  const std::string where = "conv2d on " + geo_str(g, x.dtype());
  if (x.numel() == 0 || w.numel() == 0) {
    zero_fill(y, "conv2d");  // no input channels: an empty sum
  } else if (use_cudnn(g, x.dtype(), where)) {
    forward_cudnn<T>(x.data_ptr<T>(), w.data_ptr<T>(), y.data_ptr<T>(), g, x.dtype(), where);
  } else {
    forward_im2col<T>(x.data_ptr<T>(), w.data_ptr<T>(), y.data_ptr<T>(), g, where + " (im2col)");
  }
  if (bias.defined()) {
    const int64_t total = y.numel(), P = g.Ho * g.Wo;
    add_bias_kernel<T><<<grid_for(total), kBlock, 0, stream()>>>(y.data_ptr<T>(), bias.data_ptr<T>(), total, g.O, P);
    check_launch("conv2d (bias)");
  }
}

template <typename T>
void input_grad_typed(const Tensor& gy, const Tensor& w, const Tensor& dx, const Geo& g) {
  const std::string where = "conv2d_input_grad on " + geo_str(g, gy.dtype());
  if (gy.numel() == 0 || w.numel() == 0) {
    zero_fill(dx, "conv2d_input_grad");
  } else if (use_cudnn(g, gy.dtype(), where)) {
    input_grad_cudnn<T>(gy.data_ptr<T>(), w.data_ptr<T>(), dx.data_ptr<T>(), g, gy.dtype(), where);
  } else {
    input_grad_im2col<T>(gy.data_ptr<T>(), w.data_ptr<T>(), dx.data_ptr<T>(), g, where + " (im2col)");
  }
}

template <typename T>
void weight_grad_typed(const Tensor& x, const Tensor& gy, const Tensor& dw, const Geo& g) {
  const std::string where = "conv2d_weight_grad on " + geo_str(g, x.dtype());
  if (x.numel() == 0 || gy.numel() == 0) {
    zero_fill(dw, "conv2d_weight_grad");  // no samples (or no output pixels): an empty sum
  } else if (use_cudnn(g, x.dtype(), where)) {
    weight_grad_cudnn<T>(x.data_ptr<T>(), gy.data_ptr<T>(), dw.data_ptr<T>(), g, x.dtype(), where);
  } else {
    weight_grad_im2col<T>(x.data_ptr<T>(), gy.data_ptr<T>(), dw.data_ptr<T>(), g, where + " (im2col)");
  }
}

void check_geometry(const char* op, const Geo& g) {
  DGM_CHECK(g.groups > 0 && g.C % g.groups == 0 && g.O % g.groups == 0 && g.sH > 0 && g.sW > 0 && g.dH > 0 &&
                g.dW > 0 && g.pH >= 0 && g.pW >= 0 && g.kH > 0 && g.kW > 0,
            op, ": invalid convolution geometry: ", geo_str(g, kFloat32));
}

}  // namespace

Tensor conv2d(const Tensor& x_, const Tensor& w_, const Tensor& bias_, const kernels::Conv2dGeometry& g) {
  const char* op = "conv2d";
  check_on_cuda(op, {&x_, &w_, &bias_});
  check_dtypes(op, x_, w_);
  if (bias_.defined()) check_dtypes(op, x_, bias_);
  check_geometry(op, g);
  check_shape(op, "input", x_, {g.N, g.C, g.H, g.W});
  check_shape(op, "weight", w_, {g.O, g.C / g.groups, g.kH, g.kW});
  if (bias_.defined()) check_shape(op, "bias", bias_, {g.O});
  Tensor x = contig(x_), w = contig(w_), bias = contig(bias_);
  Tensor y = empty({g.N, g.O, g.Ho, g.Wo}, x.dtype(), x.device());
  if (y.numel() == 0) return y;
  dispatch_floating(x.dtype(), op, [&]<typename T>() { forward_typed<T>(x, w, bias, y, g); });
  return y;
}

Tensor conv2d_input_grad(const Tensor& gy_, const Tensor& w_, const kernels::Conv2dGeometry& g) {
  const char* op = "conv2d_input_grad";
  check_on_cuda(op, {&gy_, &w_});
  check_dtypes(op, gy_, w_);
  check_geometry(op, g);
  check_shape(op, "grad_output", gy_, {g.N, g.O, g.Ho, g.Wo});
  check_shape(op, "weight", w_, {g.O, g.C / g.groups, g.kH, g.kW});
  Tensor gy = contig(gy_), w = contig(w_);
  Tensor dx = empty({g.N, g.C, g.H, g.W}, gy.dtype(), gy.device());
  if (dx.numel() == 0) return dx;
  dispatch_floating(gy.dtype(), op, [&]<typename T>() { input_grad_typed<T>(gy, w, dx, g); });
  return dx;
}

Tensor conv2d_weight_grad(const Tensor& x_, const Tensor& gy_, const kernels::Conv2dGeometry& g) {
  const char* op = "conv2d_weight_grad";
  check_on_cuda(op, {&x_, &gy_});
  check_dtypes(op, x_, gy_);
  check_geometry(op, g);
  check_shape(op, "input", x_, {g.N, g.C, g.H, g.W});
  check_shape(op, "grad_output", gy_, {g.N, g.O, g.Ho, g.Wo});
  Tensor x = contig(x_), gy = contig(gy_);
  Tensor dw = empty({g.O, g.C / g.groups, g.kH, g.kW}, x.dtype(), x.device());
  if (dw.numel() == 0) return dw;
  dispatch_floating(x.dtype(), op, [&]<typename T>() { weight_grad_typed<T>(x, gy, dw, g); });
  return dw;
}

}  // namespace dgm::cuda
