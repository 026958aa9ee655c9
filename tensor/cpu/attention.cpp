// CPU fused attention (the math is on top of tensor/kernels/attention.h).
// The batch dims are flattened into "heads": head b's q is rows b*L .. b*L+L-1
// of a contiguous (heads*L, E) matrix, and so on. The products of tiles
// (a block of queries against a block of keys) are small GEMMs on OpenBLAS,
// run single-threaded inside the parallel loops:
//   forward:  parallel over (head, block of queries); each unit owns its rows of out.
//   backward: parallel over heads; a head walks its key blocks, each against
//             the query blocks, accumulating dk and dv of that key block and dq
//             of every query block (all owned by the head: no races).
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "tensor/backend/backend.h"
#include "tensor/cpu/exp_f32.h"
#include "tensor/cpu/gemm.h"
#include "tensor/parallel.h"

extern "C" void openblas_set_num_threads(int);

namespace dgm::cpu {
namespace {

constexpr int64_t kBlockQ = 64;  // queries per block
constexpr int64_t kBlockK = 64;  // keys per block

template <typename T>
T exp_of(T x) {
  if constexpr (std::is_same_v<T, float>) {
    return exp_f32(x);
  } else {
    return std::exp(x);
  }
}

// The sizes of one call, and which tiles hold only masked scores.
struct Problem {
  int64_t heads, L, S, E, Ev;
  int64_t q_blocks, k_blocks;
  bool causal;
  double scale;
  std::vector<char> skip;  // (q_blocks, k_blocks): 1 where every score of the tile is masked

  bool skipped(int64_t ib, int64_t jb) const { return skip[ib * k_blocks + jb] != 0; }
};

template <typename T>
Problem make_problem(const Tensor& q, const Tensor& k, const Tensor& v, const T* mask, bool causal, double scale) {
  Problem p;
  p.L = q.size(-2), p.S = k.size(-2), p.E = q.size(-1), p.Ev = v.size(-1);
  p.heads = q.numel() / (p.L * p.E);
  p.q_blocks = (p.L + kBlockQ - 1) / kBlockQ, p.k_blocks = (p.S + kBlockK - 1) / kBlockK;
  p.causal = causal, p.scale = scale;
  p.skip.assign(p.q_blocks * p.k_blocks, 0);
  const T neg_inf = -std::numeric_limits<T>::infinity();
  for (int64_t ib = 0; ib < p.q_blocks; ++ib)
    for (int64_t jb = 0; jb < p.k_blocks; ++jb) {
      const int64_t i0 = ib * kBlockQ, i1 = std::min(p.L, i0 + kBlockQ);
      const int64_t j0 = jb * kBlockK, j1 = std::min(p.S, j0 + kBlockK);
      bool all = causal && j0 > i1 - 1;  // the first key is after the last query
      if (!all && mask) {
        all = true;
        for (int64_t i = i0; i < i1 && all; ++i)
          for (int64_t j = j0; j < j1 && all; ++j) all = mask[i * p.S + j] == neg_inf;
      }
      p.skip[ib * p.k_blocks + jb] = all;
    }
  return p;
}

// While alive, OpenBLAS runs single-threaded (we parallelize around it).
struct SerialBlas {
  SerialBlas() { openblas_set_num_threads(1); }
  ~SerialBlas() { openblas_set_num_threads(get_num_threads()); }
};

// body(u) for u < n, split over threads.
template <typename Body>
void for_each_unit(int64_t n, Body body) {
  const int nt = static_cast<int>(std::min<int64_t>(get_num_threads(), n));
  if (nt < 2) {
    for (int64_t u = 0; u < n; ++u) body(u);
    return;
  }
  SerialBlas serial;
#pragma omp parallel for num_threads(nt) schedule(dynamic)
  for (int64_t u = 0; u < n; ++u) body(u);
}

// The scores of a tile, rows x cols at s (row stride cols), holding q_i . k_j on entry:
// s_ij = scale q_i . k_j + mask_ij, and -inf for key j > query i when causal. mask points at (i0, j0).
template <typename T>
void finish_scores(T* s, int64_t rows, int64_t cols, int64_t i0, int64_t j0, const Problem& p, const T* mask) {
  const T scale = static_cast<T>(p.scale), neg_inf = -std::numeric_limits<T>::infinity();
  for (int64_t r = 0; r < rows; ++r) {
    T* row = s + r * cols;
    if (mask) {
      const T* m = mask + r * p.S;
      for (int64_t c = 0; c < cols; ++c) row[c] = row[c] * scale + m[c];
    } else {
      for (int64_t c = 0; c < cols; ++c) row[c] *= scale;
    }
    if (p.causal)
      for (int64_t c = std::max<int64_t>(0, i0 + r - j0 + 1); c < cols; ++c) row[c] = neg_inf;
  }
}

// One block of queries of one head: the online softmax over the key blocks.
// acc = sum_j exp(s_ij - m_i) v_j (in out's rows), l_i = sum_j exp(s_ij - m_i), m_i = max_j s_ij so far;
// then out_i = acc_i / l_i, lse_i = m_i + log l_i.
template <typename T>
void forward_block(const T* q, const T* k, const T* v, const T* mask, T* out, T* lse, int64_t ib, const Problem& p) {
  const int64_t i0 = ib * kBlockQ, rows = std::min(kBlockQ, p.L - i0);
  const T neg_inf = -std::numeric_limits<T>::infinity();
  std::vector<T> s(kBlockQ * kBlockK), m(rows, neg_inf), l(rows, T(0));
  const T* qi = q + i0 * p.E;
  T* oi = out + i0 * p.Ev;
  std::fill(oi, oi + rows * p.Ev, T(0));
  for (int64_t jb = 0; jb < p.k_blocks; ++jb) {
    if (p.skipped(ib, jb)) continue;
    const int64_t j0 = jb * kBlockK, cols = std::min(kBlockK, p.S - j0);
    gemm(false, true, rows, cols, p.E, qi, p.E, k + j0 * p.E, p.E, T(0), s.data(), cols);  // s = q_i k_j^T
    finish_scores(s.data(), rows, cols, i0, j0, p, mask ? mask + i0 * p.S + j0 : nullptr);
    for (int64_t r = 0; r < rows; ++r) {
      T* row = s.data() + r * cols;
      T mx = m[r];
      for (int64_t c = 0; c < cols; ++c) mx = std::max(mx, row[c]);
      if (mx == neg_inf) {  // every key so far masked: nothing to add
        std::fill(row, row + cols, T(0));
        continue;
      }
      const T rescale = exp_of(m[r] - mx);  // c = exp(m - m'), 0 on the first unmasked block
      for (int64_t c = 0; c < cols; ++c) row[c] = exp_of(row[c] - mx);  // p = exp(s - m')
      T sum = 0;
      for (int64_t c = 0; c < cols; ++c) sum += row[c];
      l[r] = l[r] * rescale + sum;
      m[r] = mx;
      if (rescale != T(1))
        for (int64_t e = 0; e < p.Ev; ++e) oi[r * p.Ev + e] *= rescale;
    }
    gemm(false, false, rows, p.Ev, cols, s.data(), cols, v + j0 * p.Ev, p.Ev, T(1), oi, p.Ev);  // acc += P v_j
  }
  for (int64_t r = 0; r < rows; ++r) {
    const T inv = T(1) / l[r];  // inf for a row with every key masked: 0 * inf = NaN, as the composite
    for (int64_t e = 0; e < p.Ev; ++e) oi[r * p.Ev + e] *= inv;
    lse[i0 + r] = m[r] + std::log(l[r]);
  }
}

// One head's gradients (the formulas on top of tensor/kernels/attention.h).
template <typename T>
void backward_head(const T* g, const T* q, const T* k, const T* v, const T* out, const T* lse, const T* mask, T* dq,
                   T* dk, T* dv, const Problem& p) {
  std::vector<T> s(kBlockQ * kBlockK), dp(kBlockQ * kBlockK), D(p.L);
  for (int64_t i = 0; i < p.L; ++i) {  // D_i = g_i . o_i
    T d = 0;
    for (int64_t e = 0; e < p.Ev; ++e) d += g[i * p.Ev + e] * out[i * p.Ev + e];
    D[i] = d;
  }
  const T scale = static_cast<T>(p.scale);
  std::fill(dq, dq + p.L * p.E, T(0));
  std::fill(dk, dk + p.S * p.E, T(0));
  std::fill(dv, dv + p.S * p.Ev, T(0));
  for (int64_t jb = 0; jb < p.k_blocks; ++jb) {
    const int64_t j0 = jb * kBlockK, cols = std::min(kBlockK, p.S - j0);
    const T *kj = k + j0 * p.E, *vj = v + j0 * p.Ev;
    T *dkj = dk + j0 * p.E, *dvj = dv + j0 * p.Ev;
    for (int64_t ib = 0; ib < p.q_blocks; ++ib) {
      if (p.skipped(ib, jb)) continue;
      const int64_t i0 = ib * kBlockQ, rows = std::min(kBlockQ, p.L - i0);
      const T *qi = q + i0 * p.E, *gi = g + i0 * p.Ev;
      gemm(false, true, rows, cols, p.E, qi, p.E, kj, p.E, T(0), s.data(), cols);  // s = q_i k_j^T
      finish_scores(s.data(), rows, cols, i0, j0, p, mask ? mask + i0 * p.S + j0 : nullptr);
      for (int64_t r = 0; r < rows; ++r) {  // p_ij = exp(s_ij - lse_i)
        T* row = s.data() + r * cols;
        const T shift = lse[i0 + r];
        for (int64_t c = 0; c < cols; ++c) row[c] = exp_of(row[c] - shift);
      }
      gemm(true, false, cols, p.Ev, rows, s.data(), cols, gi, p.Ev, T(1), dvj, p.Ev);  // dv_j += P^T g_i
      gemm(false, true, rows, cols, p.Ev, gi, p.Ev, vj, p.Ev, T(0), dp.data(), cols);  // dP = g_i v_j^T
      for (int64_t r = 0; r < rows; ++r) {  // ds_ij = scale p_ij (dp_ij - D_i), the scale of s folded in
        const T* pr = s.data() + r * cols;
        T* dr = dp.data() + r * cols;
        const T Di = D[i0 + r];
        for (int64_t c = 0; c < cols; ++c) dr[c] = scale * pr[c] * (dr[c] - Di);
      }
      gemm(false, false, rows, p.E, cols, dp.data(), cols, kj, p.E, T(1), dq + i0 * p.E, p.E);  // dq_i += dS k_j
      gemm(true, false, cols, p.E, rows, dp.data(), cols, qi, p.E, T(1), dkj, p.E);             // dk_j += dS^T q_i
    }
  }
}

}  // namespace

// out = softmax(scale q k^T + mask) v, lse = log sum_j exp(s_ij), block by block
void attention_forward(const Tensor& out, const Tensor& lse, const Tensor& q, const Tensor& k, const Tensor& v,
                       const Tensor& mask, bool causal, double scale) {
  dispatch_floating(q.dtype(), "attention_forward", [&]<typename T>() {
    const T* mp = mask.defined() ? mask.data_ptr<T>() : nullptr;
    const Problem p = make_problem(q, k, v, mp, causal, scale);
    const T *qp = q.data_ptr<T>(), *kp = k.data_ptr<T>(), *vp = v.data_ptr<T>();
    T *op = out.data_ptr<T>(), *lp = lse.data_ptr<T>();
    for_each_unit(p.heads * p.q_blocks, [&](int64_t u) {
      const int64_t b = u / p.q_blocks, ib = u % p.q_blocks;
      forward_block(qp + b * p.L * p.E, kp + b * p.S * p.E, vp + b * p.S * p.Ev, mp, op + b * p.L * p.Ev, lp + b * p.L,
                    ib, p);
    });
  });
}

// dq, dk, dv, recomputing the probabilities tile by tile from lse
void attention_backward(const Tensor& dq, const Tensor& dk, const Tensor& dv, const Tensor& g, const Tensor& q,
                        const Tensor& k, const Tensor& v, const Tensor& out, const Tensor& lse, const Tensor& mask,
                        bool causal, double scale) {
  dispatch_floating(q.dtype(), "attention_backward", [&]<typename T>() {
    const T* mp = mask.defined() ? mask.data_ptr<T>() : nullptr;
    const Problem p = make_problem(q, k, v, mp, causal, scale);
    const T *gp = g.data_ptr<T>(), *qp = q.data_ptr<T>(), *kp = k.data_ptr<T>(), *vp = v.data_ptr<T>();
    const T *op = out.data_ptr<T>(), *lp = lse.data_ptr<T>();
    T *dqp = dq.data_ptr<T>(), *dkp = dk.data_ptr<T>(), *dvp = dv.data_ptr<T>();
    for_each_unit(p.heads, [&](int64_t b) {
      backward_head(gp + b * p.L * p.Ev, qp + b * p.L * p.E, kp + b * p.S * p.E, vp + b * p.S * p.Ev,
                    op + b * p.L * p.Ev, lp + b * p.L, mp, dqp + b * p.L * p.E, dkp + b * p.S * p.E,
                    dvp + b * p.S * p.Ev, p);
    });
  });
}

}  // namespace dgm::cpu
