// The fused scaled-dot-product attention kernels (no autograd), CPU
// (tensor/cpu/attention.cpp) and CUDA (cuda/attention.cu), FlashAttention-2
// style: the (L, S) scores are never held whole, only a block of them at a time.
//
// For one batch-head, with q (L, E), k (S, E), v (S, Ev), an additive mask M
// (L, S) (0 where absent; -inf for key j > query i when causal):
//   s_ij = scale q_i . k_j + M_ij,   p_ij = exp(s_ij - lse_i),   lse_i = log sum_j exp(s_ij)
//   o_i  = sum_j p_ij v_j
//
// Forward, the online softmax: for each block of queries, walk the blocks of
// keys keeping per row the running max m, the running sum l = sum_j exp(s_ij - m)
// and the unnormalized output acc = sum_j exp(s_ij - m) v_j. A new block with
// row max m' > m rescales them: c = exp(m - m'), l = c l + sum exp(s - m'),
// acc = c acc + exp(s - m') V. At the end o = acc / l and lse = m + log l. Only
// o and lse (L floats per batch-head) are kept for the backward.
//
// Backward, with g = dL/do and D_i = sum_e g_ie o_ie (= sum_j p_ij g_i . v_j),
// recomputing p block by block from lse:
//   dv_j = sum_i p_ij g_i                dp_ij = g_i . v_j
//   ds_ij = p_ij (dp_ij - D_i)           (the softmax's backward)
//   dq_i = scale sum_j ds_ij k_j         dk_j = scale sum_i ds_ij q_i
//
// Blocks with every score masked (above the diagonal when causal, or where
// the mask is -inf throughout) are skipped. A query row with every key masked
// has l = 0: its output is 0/0 = NaN, as the composite softmax gives, and so
// are its gradients.
#pragma once
#include "tensor/tensor.h"

namespace dgm::kernels {

// The CUDA kernels stream tiles of kCudaTile rows of (E + Ev + 2) values
// through 48 KB of shared memory, one block row per batch-head (at most 65535).
constexpr int64_t kCudaTile = 32;
constexpr int64_t kCudaSharedBytes = 48 * 1024;
constexpr int64_t kCudaMaxHeads = 65535;

// Whether the kernels take q (..., L, E) and v (..., S, Ev) on q's device:
// always on the CPU; on CUDA within the limits above.
bool attention_fits(const Tensor& q, const Tensor& v);

struct AttentionForward {
  Tensor out;  // (..., L, Ev)
  Tensor lse;  // (..., L): log sum_j exp(s_ij), in q's dtype
};

// q (..., L, E), k (..., S, E), v (..., S, Ev): one dtype (float32/float64),
// the same batch dims, contiguous, on one device. mask: undefined or (L, S) of
// q's dtype, added to every batch-head's scores. causal masks key j > query i.
AttentionForward attention_forward(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask, bool causal,
                                   double scale);

struct AttentionBackward {
  Tensor dq, dk, dv;  // the shapes of q, k, v
};

// The gradients for output gradient g (q's batch dims, L, Ev), from the
// forward's out and lse; the operands as for attention_forward.
AttentionBackward attention_backward(const Tensor& g, const Tensor& q, const Tensor& k, const Tensor& v,
                                     const Tensor& out, const Tensor& lse, const Tensor& mask, bool causal,
                                     double scale);

}  // namespace dgm::kernels
