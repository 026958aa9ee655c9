// scaled_dot_product_attention's fast path, CPU and CUDA: the fused kernel
// (tensor/kernels/attention.h) forward and backward, never holding the (L, S)
// scores whole. Without grad mode during backward the kernel computes the
// gradients; with it on (create_graph) scaled_dot_product_attention_grad below
// does, in differentiable ops, so that second derivatives work. That function
// is the statement of the formula; the kernel is its fast, first-order form
// (tested to agree).
#pragma once
#include <vector>

#include "autograd/node.h"
#include "tensor/tensor.h"

namespace dgm::nn::functional {

// softmax(q k^T scale + mask) v, or an undefined Tensor where the fused kernel
// does not apply (dropout, a bool mask or one not (L, S), a mask that
// requires grad, operands of several devices or batch shapes, empty operands,
// head dims beyond the CUDA kernel's tiles, one query row against
// non-contiguous keys or values: a key-value cache); scaled_dot_product_attention then composes it from ops. The
// shapes have been checked by the caller.
Tensor fused_scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& attn_mask,
                                          double dropout_p, bool is_causal, double scale);

// Whether CUDA tensors take the fused kernel (PyTorch's torch.backends.cuda.enable_flash_sdp): off by default
// until cuda/attention.cu has run on a GPU (it compiles, and tests/cuda/test_cuda_attention.cpp, which turns it on,
// compares it with the composite, but no GPU was lent yet); DGM_CUDA_FUSED_ATTENTION=1 in the environment (read by
// env_flag, tensor/environment.h) or enable_cuda_fused_attention(true) turns it on. The CPU kernel is always used
// where it applies.
void enable_cuda_fused_attention(bool enabled);
bool cuda_fused_attention_enabled();

// Sets the switch for a scope and puts the previous value back (as autograd's DetectAnomalyGuard).
class CudaFusedAttentionGuard {
 public:
  explicit CudaFusedAttentionGuard(bool enabled);
  ~CudaFusedAttentionGuard();
  CudaFusedAttentionGuard(const CudaFusedAttentionGuard&) = delete;
  CudaFusedAttentionGuard& operator=(const CudaFusedAttentionGuard&) = delete;

 private:
  bool previous_;
};

// The gradients {dq, dk, dv} of softmax(q k^T scale + mask) v for output
// gradient g (mask: undefined or floating, no gradient), each undefined where
// needs[i] is false. Differentiable ops only. Defined in
// nn/functional/attention.cpp, next to the composite forward.
std::vector<Tensor> scaled_dot_product_attention_grad(const Tensor& g, const Tensor& q, const Tensor& k,
                                                      const Tensor& v, const Tensor& attn_mask, bool is_causal,
                                                      double scale, const autograd::NeedsGrad& needs);

}  // namespace dgm::nn::functional
