#include "nn/functional/attention_fused.h"

#include <atomic>

#include "autograd/grad_mode.h"
#include "tensor/environment.h"
#include "tensor/kernels/attention.h"

namespace dgm::nn::functional {

namespace {

// DGM_CUDA_FUSED_ATTENTION=1: on (read as every DGM_ switch, tensor/environment.h)
std::atomic<bool>& cuda_fused_flag() {
  static std::atomic<bool> flag(env_flag("DGM_CUDA_FUSED_ATTENTION"));
  return flag;
}

Shape batch_of(const Tensor& t) { return Shape(t.shape().begin(), t.shape().end() - 2); }

bool fused_applies(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& mask, double dropout_p) {
  const DType dt = q.dtype();
  if (dropout_p > 0 || (dt != kFloat32 && dt != kFloat64) || k.dtype() != dt || v.dtype() != dt) return false;
  if (k.device() != q.device() || v.device() != q.device()) return false;
  if (q.device().is_cuda() && !cuda_fused_attention_enabled()) return false;
  if (q.numel() == 0 || k.numel() == 0 || v.numel() == 0) return false;
  if (k.dim() != q.dim() || v.dim() != q.dim() || batch_of(k) != batch_of(q) || batch_of(v) != batch_of(q))
    return false;
  if (!kernels::attention_fits(q, v)) return false;
  // One query row against strided keys (a key-value cache's narrowed buffers): the composite reads k and v in
  // place and holds only (..., 1, S) scores, where the kernel would first copy k and v whole.
  if (q.size(-2) == 1 && !(k.is_contiguous() && v.is_contiguous())) return false;
  if (!mask.defined()) return true;
  return mask.is_floating_point() && mask.device() == q.device() && !mask.requires_grad() &&
         mask.shape() == Shape{q.size(-2), k.size(-2)};
}

}  // namespace

void enable_cuda_fused_attention(bool enabled) { cuda_fused_flag().store(enabled); }

bool cuda_fused_attention_enabled() { return cuda_fused_flag().load(); }

CudaFusedAttentionGuard::CudaFusedAttentionGuard(bool enabled) : previous_(cuda_fused_flag().exchange(enabled)) {}
CudaFusedAttentionGuard::~CudaFusedAttentionGuard() { cuda_fused_flag().store(previous_); }

Tensor fused_scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& attn_mask,
                                          double dropout_p, bool is_causal, double scale) {
  if (!fused_applies(q, k, v, attn_mask, dropout_p)) return Tensor();
  const Tensor qc = q.detach().contiguous(), kc = k.detach().contiguous(), vc = v.detach().contiguous();
  const Tensor mask = attn_mask.defined() ? attn_mask.detach().to(q.dtype()).contiguous() : Tensor();
  kernels::AttentionForward f = kernels::attention_forward(qc, kc, vc, mask, is_causal, scale);
  return autograd::record(
      "scaled_dot_product_attention", f.out, {q, k, v},
      [q, k, v, qc, kc, vc, mask, out = f.out.detach(), lse = f.lse, is_causal, scale](
          const Tensor& g, const autograd::NeedsGrad& needs) {
        if (GradMode::is_enabled()) return scaled_dot_product_attention_grad(g, q, k, v, mask, is_causal, scale, needs);
        kernels::AttentionBackward b =
            kernels::attention_backward(g.contiguous(), qc, kc, vc, out, lse, mask, is_causal, scale);
        return std::vector<Tensor>{needs[0] ? b.dq : Tensor(), needs[1] ? b.dk : Tensor(), needs[2] ? b.dv : Tensor()};
      },
      autograd::Saves::InputsAndOutput);
}

}  // namespace dgm::nn::functional
