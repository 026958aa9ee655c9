// The parts of the CUDA convolutions (internal). cuda/conv.cu holds the entry
// points and picks a path; the paths compute the same three linear maps:
//   conv_cudnn.cu   through cuDNN (descriptors and algorithm choice: cudnn.h, cudnn_plan.cu)
//   conv_im2col.cu  im2col + the one GEMM entry (cuda/cublas_handle.h)
// Pointers are to contiguous (N,C,H,W), (O,C/groups,kH,kW) and (N,O,Ho,Wo)
// buffers on the GPU; `where` names the call in every error message. T is
// float or double.
#pragma once
#include <climits>
#include <cstdint>
#include <string>

#include "tensor/kernels/checks.h"
#include "tensor/kernels/conv.h"

namespace dgm::cuda {

using Geo = kernels::Conv2dGeometry;

// "input (2,3,8,8), weight (4,3,3,3), output (2,4,8,8), stride (1,1), padding (1,1), dilation (1,1), groups 1, float32"
inline std::string geo_str(const Geo& g, DType dtype) {
  return kernels::conv_geometry_str(g) + ", " + dtype_name(dtype);
}

inline bool fits_int(int64_t v) { return v >= 0 && v <= INT_MAX; }

// ---- the im2col + cuBLAS path (conv_im2col.cu) ----
// y = conv(x, w)
template <typename T>
void forward_im2col(const T* x, const T* w, T* y, const Geo& g, const std::string& where);
// dx = conv^T(gy, w)
template <typename T>
void input_grad_im2col(const T* gy, const T* w, T* dx, const Geo& g, const std::string& where);
// dw = sum_n gy_n @ col(x_n)^T
template <typename T>
void weight_grad_im2col(const T* x, const T* gy, T* dw, const Geo& g, const std::string& where);

// ---- the cuDNN path (conv_cudnn.cu) ----
// Can cuDNN run this geometry? (Else the im2col path does.)
bool cudnn_supports(const Geo& g, DType dtype, const std::string& where);
// y = conv(x, w)
template <typename T>
void forward_cudnn(const T* x, const T* w, T* y, const Geo& g, DType dtype, const std::string& where);
// dx = conv^T(gy, w)
template <typename T>
void input_grad_cudnn(const T* gy, const T* w, T* dx, const Geo& g, DType dtype, const std::string& where);
// dw = the weight gradient, summed over the samples
template <typename T>
void weight_grad_cudnn(const T* x, const T* gy, T* dw, const Geo& g, DType dtype, const std::string& where);

}  // namespace dgm::cuda
