// CUDA fused attention (the math is on top of tensor/kernels/attention.h).
// The batch dims are flattened into heads, as on the CPU. Written to be read:
// one thread per query row (per key row in the second backward kernel), the
// other side's rows streamed through shared memory a tile at a time; each
// thread keeps its running max and sum in registers and its accumulator in
// its own row of the output, so no score matrix exists and no atomics are
// needed. One block covers kRows rows of one head: grid (row blocks, heads).
//   forward:     thread i walks the key tiles: online softmax into out_i, then lse_i.
//   backward 1:  thread i: D_i = g_i . o_i, then dq_i = scale sum_j p_ij (g_i . v_j - D_i) k_j.
//   backward 2:  thread j walks the query tiles: dv_j = sum_i p_ij g_i,
//                dk_j = scale sum_i p_ij (g_i . v_j - D_i) q_i.
// Scores above the diagonal (causal) are skipped key by key.
#include <cmath>

#include "cuda/runtime.h"
#include "tensor/backend/backend.h"
#include "tensor/kernels/attention.h"

namespace dgm::cuda {
namespace {

constexpr int kRows = 64;                  // threads (rows) per block
constexpr int kTile = kernels::kCudaTile;  // rows of the other operand per shared-memory tile

__device__ int64_t smaller(int64_t a, int64_t b) { return a < b ? a : b; }

struct Sizes {
  int64_t L, S, E, Ev;
  bool causal;
};

// Copies rows [r0, r0 + n) of the (rows, width) matrix src into dst (n x width), the block's threads together.
template <typename T>
__device__ void load_tile(T* dst, const T* src, int64_t r0, int64_t n, int64_t width) {
  for (int64_t e = threadIdx.x; e < n * width; e += blockDim.x) dst[e] = src[r0 * width + e];
}

template <typename T>
__device__ T dot(const T* a, const T* b, int64_t n) {
  T s = 0;
  for (int64_t e = 0; e < n; ++e) s += a[e] * b[e];
  return s;
}

// s_ij = scale q_i . k_j + mask_ij, or -inf where masked by causality
template <typename T>
__device__ T score(const T* qi, const T* kj, const T* mask, int64_t i, int64_t j, const Sizes& z, T scale) {
  if (z.causal && j > i) return T(-INFINITY);
  return dot(qi, kj, z.E) * scale + (mask ? mask[i * z.S + j] : T(0));
}

// Online softmax of row i: for each key, m' = max(m, s), acc = acc exp(m - m') + exp(s - m') v_j,
// l = l exp(m - m') + exp(s - m'); at the end out_i = acc / l, lse_i = m + log l.
template <typename T>
__global__ void forward_kernel(const T* q, const T* k, const T* v, const T* mask, T* out, T* lse, Sizes z, T scale) {
  extern __shared__ unsigned char smem[];
  T* ks = reinterpret_cast<T*>(smem);  // kTile x E
  T* vs = ks + kTile * z.E;            // kTile x Ev
  const int64_t h = blockIdx.y, i = static_cast<int64_t>(blockIdx.x) * kRows + threadIdx.x;
  const bool active = i < z.L;
  const T* qi = q + (h * z.L + (active ? i : 0)) * z.E;
  T* oi = out + (h * z.L + (active ? i : 0)) * z.Ev;
  const T *kh = k + h * z.S * z.E, *vh = v + h * z.S * z.Ev;
  T m = T(-INFINITY), l = 0;
  if (active)
    for (int64_t e = 0; e < z.Ev; ++e) oi[e] = 0;
  const int64_t last_row = smaller(z.L, static_cast<int64_t>(blockIdx.x + 1) * kRows) - 1;
  for (int64_t j0 = 0; j0 < z.S; j0 += kTile) {
    if (z.causal && j0 > last_row) break;  // every later key is after every row of the block
    const int64_t n = smaller(static_cast<int64_t>(kTile), z.S - j0);
    __syncthreads();  // the previous tile is no longer read
    load_tile(ks, kh, j0, n, z.E);
    load_tile(vs, vh, j0, n, z.Ev);
    __syncthreads();
    if (!active) continue;
    for (int64_t c = 0; c < n; ++c) {
      const T s = score(qi, ks + c * z.E, mask, i, j0 + c, z, scale);
      if (s == T(-INFINITY)) continue;  // adds nothing
      const T m2 = s > m ? s : m, rescale = exp(m - m2), p = exp(s - m2);
      l = l * rescale + p;
      for (int64_t e = 0; e < z.Ev; ++e) oi[e] = oi[e] * rescale + p * vs[c * z.Ev + e];
      m = m2;
    }
  }
  if (!active) return;
  const T inv = T(1) / l;  // a row with every key masked: l = 0, out = 0 * inf = NaN, as the composite
  for (int64_t e = 0; e < z.Ev; ++e) oi[e] *= inv;
  lse[h * z.L + i] = m + log(l);
}

// Thread i: D_i = g_i . o_i (kept for backward 2), dq_i = scale sum_j p_ij (g_i . v_j - D_i) k_j.
template <typename T>
__global__ void backward_dq_kernel(const T* g, const T* q, const T* k, const T* v, const T* out, const T* lse,
                                   const T* mask, T* dq, T* D, Sizes z, T scale) {
  extern __shared__ unsigned char smem[];
  T* ks = reinterpret_cast<T*>(smem);  // kTile x E
  T* vs = ks + kTile * z.E;            // kTile x Ev
  const int64_t h = blockIdx.y, i = static_cast<int64_t>(blockIdx.x) * kRows + threadIdx.x;
  const bool active = i < z.L;
  const int64_t row = h * z.L + (active ? i : 0);
  const T *qi = q + row * z.E, *gi = g + row * z.Ev;
  T* dqi = dq + row * z.E;
  const T *kh = k + h * z.S * z.E, *vh = v + h * z.S * z.Ev;
  T Di = 0, lse_i = 0;
  if (active) {
    Di = dot(gi, out + row * z.Ev, z.Ev);
    D[row] = Di;
    lse_i = lse[row];
    for (int64_t e = 0; e < z.E; ++e) dqi[e] = 0;
  }
  const int64_t last_row = smaller(z.L, static_cast<int64_t>(blockIdx.x + 1) * kRows) - 1;
  for (int64_t j0 = 0; j0 < z.S; j0 += kTile) {
    if (z.causal && j0 > last_row) break;
    const int64_t n = smaller(static_cast<int64_t>(kTile), z.S - j0);
    __syncthreads();
    load_tile(ks, kh, j0, n, z.E);
    load_tile(vs, vh, j0, n, z.Ev);
    __syncthreads();
    if (!active) continue;
    for (int64_t c = 0; c < n; ++c) {
      const T p = exp(score(qi, ks + c * z.E, mask, i, j0 + c, z, scale) - lse_i);
      const T ds = p * (dot(gi, vs + c * z.Ev, z.Ev) - Di) * scale;
      for (int64_t e = 0; e < z.E; ++e) dqi[e] += ds * ks[c * z.E + e];
    }
  }
}

// Thread j: dv_j = sum_i p_ij g_i, dk_j = scale sum_i p_ij (g_i . v_j - D_i) q_i.
template <typename T>
__global__ void backward_dkdv_kernel(const T* g, const T* q, const T* k, const T* v, const T* lse, const T* D,
                                     const T* mask, T* dk, T* dv, Sizes z, T scale) {
  extern __shared__ unsigned char smem[];
  T* qs = reinterpret_cast<T*>(smem);  // kTile x E
  T* gs = qs + kTile * z.E;            // kTile x Ev
  T* lse_s = gs + kTile * z.Ev;        // kTile
  T* D_s = lse_s + kTile;              // kTile
  const int64_t h = blockIdx.y, j = static_cast<int64_t>(blockIdx.x) * kRows + threadIdx.x;
  const bool active = j < z.S;
  const int64_t row = h * z.S + (active ? j : 0);
  const T *kj = k + row * z.E, *vj = v + row * z.Ev;
  T *dkj = dk + row * z.E, *dvj = dv + row * z.Ev;
  const T *qh = q + h * z.L * z.E, *gh = g + h * z.L * z.Ev;
  if (active) {
    for (int64_t e = 0; e < z.E; ++e) dkj[e] = 0;
    for (int64_t e = 0; e < z.Ev; ++e) dvj[e] = 0;
  }
  const int64_t first_key = static_cast<int64_t>(blockIdx.x) * kRows;
  for (int64_t i0 = 0; i0 < z.L; i0 += kTile) {
    const int64_t n = smaller(static_cast<int64_t>(kTile), z.L - i0);
    if (z.causal && i0 + n - 1 < first_key) continue;  // every query of the tile is before every key of the block
    __syncthreads();
    load_tile(qs, qh, i0, n, z.E);
    load_tile(gs, gh, i0, n, z.Ev);
    load_tile(lse_s, lse + h * z.L, i0, n, 1);
    load_tile(D_s, D + h * z.L, i0, n, 1);
    __syncthreads();
    if (!active) continue;
    for (int64_t r = 0; r < n; ++r) {
      const T* gr = gs + r * z.Ev;
      const T p = exp(score(qs + r * z.E, kj, mask, i0 + r, j, z, scale) - lse_s[r]);
      const T ds = p * (dot(gr, vj, z.Ev) - D_s[r]) * scale;
      for (int64_t e = 0; e < z.Ev; ++e) dvj[e] += p * gr[e];
      for (int64_t e = 0; e < z.E; ++e) dkj[e] += ds * qs[r * z.E + e];
    }
  }
}

Sizes sizes_of(const Tensor& q, const Tensor& k, const Tensor& v, bool causal) {
  return {q.size(-2), k.size(-2), q.size(-1), v.size(-1), causal};
}

int64_t heads_of(const Tensor& q) { return q.numel() / (q.size(-2) * q.size(-1)); }

// The grid over `rows` rows of every head; refuses what one launch cannot hold.
dim3 grid_of(int64_t rows, int64_t heads, size_t smem, const char* op) {
  DGM_CHECK(heads <= kernels::kCudaMaxHeads, op, " (CUDA): at most ", kernels::kCudaMaxHeads,
            " batch-heads per launch, got ", heads);
  DGM_CHECK(static_cast<int64_t>(smem) <= kernels::kCudaSharedBytes, op, " (CUDA): the head dims need ", smem,
            " bytes of shared memory per tile, over 48 KB");
  return dim3(static_cast<unsigned>((rows + kRows - 1) / kRows), static_cast<unsigned>(heads));
}

template <typename T>
const T* ptr_or_null(const Tensor& t) {
  return t.defined() ? static_cast<const T*>(t.raw_data()) : nullptr;
}

}  // namespace

// out = softmax(scale q k^T + mask) v, lse = log sum_j exp(s_ij), one thread per query row
void attention_forward(const Tensor& out, const Tensor& lse, const Tensor& q, const Tensor& k, const Tensor& v,
                       const Tensor& mask, bool causal, double scale) {
  dispatch_floating(q.dtype(), "attention_forward", [&]<typename T>() {
    const Sizes z = sizes_of(q, k, v, causal);
    const size_t smem = kTile * (z.E + z.Ev) * sizeof(T);
    const dim3 grid = grid_of(z.L, heads_of(q), smem, "attention_forward");
    forward_kernel<T><<<grid, kRows, smem, stream()>>>(
        static_cast<const T*>(q.raw_data()), static_cast<const T*>(k.raw_data()), static_cast<const T*>(v.raw_data()),
        ptr_or_null<T>(mask), static_cast<T*>(out.raw_data()), static_cast<T*>(lse.raw_data()), z, T(scale));
    check_launch("attention_forward");
  });
}

// dq (one thread per query row, writing D_i), then dk and dv (one thread per key row)
void attention_backward(const Tensor& dq, const Tensor& dk, const Tensor& dv, const Tensor& g, const Tensor& q,
                        const Tensor& k, const Tensor& v, const Tensor& out, const Tensor& lse, const Tensor& mask,
                        bool causal, double scale) {
  dispatch_floating(q.dtype(), "attention_backward", [&]<typename T>() {
    const Sizes z = sizes_of(q, k, v, causal);
    const int64_t heads = heads_of(q);
    Tensor D = empty(lse.shape(), lse.dtype(), lse.device());  // D_i = g_i . o_i
    const T *gp = static_cast<const T*>(g.raw_data()), *qp = static_cast<const T*>(q.raw_data());
    const T *kp = static_cast<const T*>(k.raw_data()), *vp = static_cast<const T*>(v.raw_data());
    const T *lp = static_cast<const T*>(lse.raw_data()), *mp = ptr_or_null<T>(mask);
    T* Dp = static_cast<T*>(D.raw_data());
    const size_t smem1 = kTile * (z.E + z.Ev) * sizeof(T);
    backward_dq_kernel<T><<<grid_of(z.L, heads, smem1, "attention_backward"), kRows, smem1, stream()>>>(
        gp, qp, kp, vp, static_cast<const T*>(out.raw_data()), lp, mp, static_cast<T*>(dq.raw_data()), Dp, z, T(scale));
    check_launch("attention_backward");
    const size_t smem2 = kTile * (z.E + z.Ev + 2) * sizeof(T);
    backward_dkdv_kernel<T><<<grid_of(z.S, heads, smem2, "attention_backward"), kRows, smem2, stream()>>>(
        gp, qp, kp, vp, lp, Dp, mp, static_cast<T*>(dk.raw_data()), static_cast<T*>(dv.raw_data()), z, T(scale));
    check_launch("attention_backward");
  });
}

}  // namespace dgm::cuda
