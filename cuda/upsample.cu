// CUDA upsampling (tensor/kernels/conv.h, CPU reference tensor/cpu/upsample.cpp):
// a separable linear map per (n, c) plane. Output row a mixes input rows
// i0[a], i1[a] with weights l0[a], l1[a]; likewise columns.
//
// The tables are host vectors (built by the front end); each call copies them
// to the device (a few KB).
//
// Forward: one thread per output element.
// Backward (the transpose): one thread per input element, which sums over the
// output rows and columns that read it. For that, each axis's table is
// inverted on the host into lists "input index h <- (output index a, weight)"
// (entries with weight 0 left out), stored back to back as in a sparse CSR
// matrix. No atomics, deterministic.
#include <vector>

#include "cuda/elementwise.cuh"  // DGM_GRID_STRIDE
#include "cuda/runtime.h"
#include "tensor/backend/backend.h"

namespace dgm::cuda {
namespace {

using kernels::Interp1d;

// One axis of the forward map: output index a reads i0[a], i1[a] with weights l0[a], l1[a].
template <typename T>
struct Axis {
  const int64_t *i0, *i1;
  const T *l0, *l1;
};

// One axis of the transpose: input index h is read by outputs out[e] with
// weights weight[e], for e in [start[h], start[h+1]).
template <typename T>
struct Adjoint {
  const int64_t *start, *out;
  const T* weight;
};

// y[plane, a, b] = sum_{p,q in {0,1}} lh_p[a] lw_q[b] x[plane, ih_p[a], iw_q[b]]
template <typename T>
__global__ void upsample_kernel(const T* __restrict__ x, T* __restrict__ y, int64_t total, int64_t H, int64_t W,
                                int64_t Ho, int64_t Wo, Axis<T> rows, Axis<T> cols) {
  DGM_GRID_STRIDE(o, total) {
    const int64_t b = o % Wo;
    const int64_t r = o / Wo;
    const int64_t a = r % Ho, plane = r / Ho;
    const T* x0 = x + (plane * H + rows.i0[a]) * W;
    const T* x1 = x + (plane * H + rows.i1[a]) * W;
    const T lh0 = rows.l0[a], lh1 = rows.l1[a];
    const int64_t j0 = cols.i0[b], j1 = cols.i1[b];
    const T lw0 = cols.l0[b], lw1 = cols.l1[b];
    y[o] = lh0 * (lw0 * x0[j0] + lw1 * x0[j1]) + lh1 * (lw0 * x1[j0] + lw1 * x1[j1]);
  }
}

// dx[plane, h, w] = sum over (a, lh) read by row h and (b, lw) read by column w of lh * lw * g[plane, a, b]
template <typename T>
__global__ void upsample_backward_kernel(const T* __restrict__ g, T* __restrict__ dx, int64_t total, int64_t H,
                                         int64_t W, int64_t Ho, int64_t Wo, Adjoint<T> rows, Adjoint<T> cols) {
  DGM_GRID_STRIDE(e, total) {
    const int64_t w = e % W;
    const int64_t r = e / W;
    const int64_t h = r % H, plane = r / H;
    const T* gp = g + plane * Ho * Wo;
    T sum = 0;
    for (int64_t er = rows.start[h]; er < rows.start[h + 1]; ++er) {
      const T* grow = gp + rows.out[er] * Wo;
      const T lh = rows.weight[er];
      for (int64_t ec = cols.start[w]; ec < cols.start[w + 1]; ++ec) sum += lh * cols.weight[ec] * grow[cols.out[ec]];
    }
    dx[e] = sum;
  }
}

// A fresh CUDA tensor holding v.
template <typename X>
Tensor upload(const std::vector<X>& v, DType dtype) {
  Tensor t = empty({static_cast<int64_t>(v.size())}, dtype, Device(kCUDA));
  memcpy_to_device(t.raw_data(), v.data(), v.size() * sizeof(X));
  return t;
}

// The forward tables of both axes on the device: int64 [r.i0 r.i1 c.i0 c.i1], T [r.l0 r.l1 c.l0 c.l1].
template <typename T>
struct DeviceTables {
  Tensor index, weight;
  Axis<T> rows, cols;
  DeviceTables(const Interp1d& r, const Interp1d& c) {
    const int64_t Ho = static_cast<int64_t>(r.i0.size()), Wo = static_cast<int64_t>(c.i0.size());
    std::vector<int64_t> idx;
    std::vector<T> wt;
    idx.reserve(2 * (Ho + Wo));
    wt.reserve(2 * (Ho + Wo));
    for (const Interp1d* t : {&r, &c}) {
      idx.insert(idx.end(), t->i0.begin(), t->i0.end());
      idx.insert(idx.end(), t->i1.begin(), t->i1.end());
      for (double v : t->l0) wt.push_back(static_cast<T>(v));
      for (double v : t->l1) wt.push_back(static_cast<T>(v));
    }
    index = upload(idx, kInt64);
    weight = upload(wt, dtype_of<T>());
    const int64_t* pi = index.data_ptr<int64_t>();
    const T* pw = weight.data_ptr<T>();
    rows = {pi, pi + Ho, pw, pw + Ho};
    cols = {pi + 2 * Ho, pi + 2 * Ho + Wo, pw + 2 * Ho, pw + 2 * Ho + Wo};
  }
};

// The transpose of one axis's table on the host: for each input index h, the
// (output index, weight) pairs that read it, outputs in increasing order.
template <typename T>
void invert(const Interp1d& t, int64_t in, std::vector<int64_t>& start, std::vector<int64_t>& out,
            std::vector<T>& weight) {
  const int64_t n = static_cast<int64_t>(t.i0.size());
  start.assign(in + 1, 0);
  for (int64_t a = 0; a < n; ++a) {
    if (t.l0[a] != 0) ++start[t.i0[a] + 1];
    if (t.l1[a] != 0) ++start[t.i1[a] + 1];
  }
  for (int64_t h = 0; h < in; ++h) start[h + 1] += start[h];
  out.assign(start[in], 0);
  weight.assign(start[in], T(0));
  std::vector<int64_t> fill(start.begin(), start.end() - 1);
  auto add = [&](int64_t h, int64_t a, double l) {
    const int64_t e = fill[h]++;
    out[e] = a;
    weight[e] = static_cast<T>(l);
  };
  for (int64_t a = 0; a < n; ++a) {
    if (t.l0[a] != 0) add(t.i0[a], a, t.l0[a]);
    if (t.l1[a] != 0) add(t.i1[a], a, t.l1[a]);
  }
}

// Both axes' transposes on the device: int64 [rows start, cols start, rows out, cols out], T [rows w, cols w].
template <typename T>
struct DeviceAdjoint {
  Tensor index, weight;
  Adjoint<T> rows, cols;
  DeviceAdjoint(const Interp1d& r, const Interp1d& c, int64_t H, int64_t W) {
    std::vector<int64_t> rs, ro, cs, co;
    std::vector<T> rw, cw;
    invert<T>(r, H, rs, ro, rw);
    invert<T>(c, W, cs, co, cw);
    std::vector<int64_t> idx;
    idx.reserve(rs.size() + cs.size() + ro.size() + co.size());
    for (const auto* v : {&rs, &cs, &ro, &co}) idx.insert(idx.end(), v->begin(), v->end());
    std::vector<T> wt(rw);
    wt.insert(wt.end(), cw.begin(), cw.end());
    index = upload(idx, kInt64);
    // An all-zero table (no weights at all) still needs a valid pointer.
    weight = wt.empty() ? empty({1}, dtype_of<T>(), Device(kCUDA)) : upload(wt, dtype_of<T>());
    const int64_t* pi = index.data_ptr<int64_t>();
    const T* pw = weight.data_ptr<T>();
    const int64_t nrs = static_cast<int64_t>(rs.size()), ncs = static_cast<int64_t>(cs.size());
    const int64_t nro = static_cast<int64_t>(ro.size());
    rows = {pi, pi + nrs + ncs, pw};
    cols = {pi + nrs, pi + nrs + ncs + nro, pw + rw.size()};
  }
};

}  // namespace

// y[a,b] = sum_{p,q} lh_p[a] lw_q[b] x[ih_p[a], iw_q[b]]
void upsample2d(const Tensor& y, const Tensor& x, const Interp1d& rows, const Interp1d& cols) {
  const int64_t H = x.size(2), W = x.size(3), Ho = y.size(2), Wo = y.size(3), total = y.numel();
  dispatch_floating(x.dtype(), "upsample2d", [&]<typename T>() {
    DeviceTables<T> t(rows, cols);
    upsample_kernel<T><<<grid_for(total), kBlock, 0, stream()>>>(x.data_ptr<T>(), y.data_ptr<T>(), total, H, W, Ho, Wo,
                                                                 t.rows, t.cols);
    check_launch("upsample2d");
  });
}

// dx[h,w] = sum over (a,b) reading (h,w) of their weight times g[a,b]
void upsample2d_backward(const Tensor& dx, const Tensor& g, const Interp1d& rows, const Interp1d& cols) {
  const int64_t H = dx.size(2), W = dx.size(3), Ho = g.size(2), Wo = g.size(3), total = dx.numel();
  dispatch_floating(g.dtype(), "upsample2d_backward", [&]<typename T>() {
    DeviceAdjoint<T> t(rows, cols, H, W);
    upsample_backward_kernel<T><<<grid_for(total), kBlock, 0, stream()>>>(g.data_ptr<T>(), dx.data_ptr<T>(), total, H,
                                                                          W, Ho, Wo, t.rows, t.cols);
    check_launch("upsample2d_backward");
  });
}

}  // namespace dgm::cuda
