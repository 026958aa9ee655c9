// The im2col + cuBLAS convolutions (environment DGM_CUDA_CONV=im2col): the
// teaching path, the CPU's algorithm (tensor/cpu/conv.cpp) on the GPU. im2col
// copies every receptive field into a column (cuda/conv_im2col.cuh), then one
// GEMM per group (cuda/cublas_handle.h: the one GEMM entry)
//   y_g = w_g @ col_g            dx = col2im(w_g^T @ gy_g)        dw_g = sum_n gy_n,g @ col_n,g^T
// It is also where geometries cuDNN cannot describe go (sizes beyond int32,
// conv_transpose2d's output_padding >= stride, which makes the geometry's H
// larger than cuDNN's forward output formula allows).
#include <algorithm>

#include "cuda/conv.cuh"
#include "cuda/conv_im2col.cuh"
#include "cuda/cublas_handle.h"
#include "cuda/runtime.h"

namespace dgm::cuda {
namespace {

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

}  // namespace

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
      gemm<T>(where.c_str(), "", false, false, Og, P, K, w + gi * Og * K, K, 0, src + gi * K * P, P, KC * P, T(0),
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
      gemm<T>(where.c_str(), "", true, false, K, P, Og, w + gi * Og * K, K, 0, gy + n0 * g.O * P + gi * Og * P, P,
              g.O * P, T(0), dst + gi * K * P, P, KC * P, nc);
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
      gemm<T>(where.c_str(), "", false, true, Og, K, P, gy + (n0 + s) * g.O * P, P, Og * P, src + s * KC * P, P, K * P,
              n0 + s == 0 ? T(0) : T(1), dw, K, Og * K, g.groups);
  }
}

template void forward_im2col<float>(const float*, const float*, float*, const Geo&, const std::string&);
template void forward_im2col<double>(const double*, const double*, double*, const Geo&, const std::string&);
template void input_grad_im2col<float>(const float*, const float*, float*, const Geo&, const std::string&);
template void input_grad_im2col<double>(const double*, const double*, double*, const Geo&, const std::string&);
template void weight_grad_im2col<float>(const float*, const float*, float*, const Geo&, const std::string&);
template void weight_grad_im2col<double>(const double*, const double*, double*, const Geo&, const std::string&);

}  // namespace dgm::cuda
