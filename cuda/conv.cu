// CUDA convolutions: conv2d and its two adjoints (tensor/kernels/conv.h), by
// two paths that compute the same three linear maps (cuda/conv.cuh):
//
// cuDNN (the default): cuda/conv_cudnn.cu, with the descriptors and the
// algorithms chosen once per geometry in cuda/cudnn.h and cuda/cudnn_plan.cu.
//
// im2col + cuBLAS (environment DGM_CUDA_CONV=im2col): cuda/conv_im2col.cu,
// the CPU's algorithm on the GPU; also where geometries cuDNN cannot describe go.
//
// This file: the entry points (the front door, tensor/kernels/conv.cpp, has
// checked the operands and allocated the output), the empty cases, the bias,
// and which path runs.
#include <cuda_runtime.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "cuda/conv.cuh"
#include "cuda/conv_im2col.cuh"  // add_bias_kernel
#include "cuda/runtime.h"
#include "tensor/backend/backend.h"

namespace dgm::cuda {
namespace {

// A view starting at an address that is not a multiple of 16 bytes (a slice
// of a batch) is copied: some cuDNN kernels' vector loads cannot read it. A
// fresh block from the allocator is always aligned.
Tensor aligned(const Tensor& t) {
  if (!t.defined() || reinterpret_cast<uintptr_t>(t.raw_data()) % 16 == 0) return t;
  return kernels::copy_to_new(t);
}

void zero_fill(const Tensor& t, const char* op) {
  if (t.numel() > 0)
    DGM_CUDA_CHECK(cudaMemsetAsync(t.raw_data(), 0, static_cast<size_t>(t.numel()) * t.element_size(), stream()), op);
}

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

}  // namespace

// y = conv(x, w) + bias
void conv2d(const Tensor& y, const Tensor& x_, const Tensor& w_, const Tensor& bias_, const Geo& g) {
  const Tensor x = aligned(x_), w = aligned(w_), bias = aligned(bias_);
  dispatch_floating(x.dtype(), "conv2d", [&]<typename T>() { forward_typed<T>(x, w, bias, y, g); });
}

// dx = conv^T(gy, w)
void conv2d_input_grad(const Tensor& dx, const Tensor& gy_, const Tensor& w_, const Geo& g) {
  const Tensor gy = aligned(gy_), w = aligned(w_);
  dispatch_floating(gy.dtype(), "conv2d_input_grad", [&]<typename T>() { input_grad_typed<T>(gy, w, dx, g); });
}

// dw = sum over samples and pixels of gy times the receptive field of x
void conv2d_weight_grad(const Tensor& dw, const Tensor& x_, const Tensor& gy_, const Geo& g) {
  const Tensor x = aligned(x_), gy = aligned(gy_);
  dispatch_floating(x.dtype(), "conv2d_weight_grad", [&]<typename T>() { weight_grad_typed<T>(x, gy, dw, g); });
}

}  // namespace dgm::cuda
