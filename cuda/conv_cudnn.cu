// The convolutions through cuDNN: cudnnConvolutionForward / BackwardData /
// BackwardFilter of cuDNN's legacy API, one call per chunk of samples, with
// the plan and algorithms of cuda/cudnn.h. Everything runs on stream 0
// (cuda/runtime.h), so a workspace freed at the end of a call can be reused
// at once.
#include "cuda/cudnn.h"

namespace dgm::cuda {

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
            return (cudnn_benchmark() ? cudnnFindConvolutionForwardAlgorithm : cudnnGetConvolutionForwardAlgorithm_v7)(
                h, p.x, p.w, p.conv, p.y, count, returned, perf);
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
            return (cudnn_benchmark()
                        ? cudnnFindConvolutionBackwardDataAlgorithm
                        : cudnnGetConvolutionBackwardDataAlgorithm_v7)(h, p.w, p.y, p.conv, p.x, count, returned, perf);
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
            return (cudnn_benchmark() ? cudnnFindConvolutionBackwardFilterAlgorithm
                                      : cudnnGetConvolutionBackwardFilterAlgorithm_v7)(h, p.x, p.y, p.conv, p.w, count,
                                                                                       returned, perf);
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

template void forward_cudnn<float>(const float*, const float*, float*, const Geo&, DType, const std::string&);
template void forward_cudnn<double>(const double*, const double*, double*, const Geo&, DType, const std::string&);
template void input_grad_cudnn<float>(const float*, const float*, float*, const Geo&, DType, const std::string&);
template void input_grad_cudnn<double>(const double*, const double*, double*, const Geo&, DType, const std::string&);
template void weight_grad_cudnn<float>(const float*, const float*, float*, const Geo&, DType, const std::string&);
template void weight_grad_cudnn<double>(const double*, const double*, double*, const Geo&, DType, const std::string&);

}  // namespace dgm::cuda
