// CUDA reductions: sum, prod, max, min over any set of dims, and argmax /
// argmin along one dim. Same results as tensor/cpu/reduce.cpp: float32 sums
// and products accumulate in float64 (cuda/reduce.cuh), max/min propagate
// NaN, argmax/argmin pick the first index on ties and the first NaN.
//
// The problem. Output element o combines the n_red input elements that share
// its kept (not reduced) coordinates. We describe both sides by sizes and
// strides, so any strided input works without a copy:
//   kept dims:    output number o -> (offset in out, offset of its first input)
//   reduced dims: element number j -> offset from that first input
// Dims of size 1 are dropped, each group is sorted by decreasing |stride|
// (the order of a reduction does not matter, so we may walk the input in
// memory order), and dims that are back to back in memory are merged. The
// innermost reduced dim (the smallest stride: usually 1) is kept apart, so
// that the inner loop is a plain strided loop with no index arithmetic.
//
// Two kernels, chosen by which side is contiguous in memory:
//   reduce_blocks_kernel  one thread block per output: the block's threads
//       take every blockDim-th element (neighbouring threads read neighbouring
//       addresses), then combine their partial results through warp shuffles
//       and shared memory. For "reduce the contiguous last dims": row sums,
//       full sums, softmax denominators.
//   reduce_threads_kernel one thread per output, a sequential loop over its
//       elements: neighbouring threads own neighbouring outputs, so their reads
//       are coalesced when the kept dims are the contiguous ones, e.g. the
//       column sums of a bias gradient (N, D) -> (D). Also for short
//       reductions (n_red <= 16), where a block per output would idle.
// When there are too few outputs to fill the GPU (a full sum of 16M floats
// has one), the reduced elements are cut into `splits` chunks: pass 1 writes
// one partial result per (output, chunk) to a scratch buffer, pass 2 reduces
// those (a small reduction of the same kind, with the same kernels).
#include <algorithm>
#include <cstdlib>
#include <limits>

#include "cuda/elementwise.cuh"
#include "cuda/indexing.cuh"
#include "cuda/reduce.cuh"
#include "cuda/runtime.h"
#include "tensor/backend/backend.h"

namespace dgm::cuda {
using kernels::ArgReduce;
using kernels::Reduce;

namespace {

// ---- The ops. State is a partial result; combine(a, b) must not depend on
// the order of its arguments, since threads meet in a tree. ----

// sum: acc + x (float32 in float64)
template <typename T>
struct SumOp {
  using State = Acc<T>;
  __device__ static State identity() { return State(0); }
  __device__ static State from(T v, int64_t) { return State(v); }
  __device__ static State combine(State a, State b) { return a + b; }
};

// prod: acc * x (float32 in float64)
template <typename T>
struct ProdOp {
  using State = Acc<T>;
  __device__ static State identity() { return State(1); }
  __device__ static State from(T v, int64_t) { return State(v); }
  __device__ static State combine(State a, State b) { return a * b; }
};

// max: a NaN wins (b != b only for NaN) and then stays, since nothing compares greater than it
template <typename T>
struct MaxOp {
  using State = T;
  __device__ static State identity() {
    if constexpr (std::is_floating_point_v<T>)
      return -std::numeric_limits<T>::infinity();
    else
      return std::numeric_limits<T>::lowest();
  }
  __device__ static State from(T v, int64_t) { return v; }
  __device__ static State combine(State a, State b) { return (b > a || b != b) ? b : a; }
};

// min: as max, mirrored
template <typename T>
struct MinOp {
  using State = T;
  __device__ static State identity() {
    if constexpr (std::is_floating_point_v<T>)
      return std::numeric_limits<T>::infinity();
    else
      return std::numeric_limits<T>::max();
  }
  __device__ static State from(T v, int64_t) { return v; }
  __device__ static State combine(State a, State b) { return (b < a || b != b) ? b : a; }
};

// A candidate for argmax/argmin: a value and its position along the dim
// (index -1: no candidate yet).
template <typename T>
struct ArgState {
  T value;
  int64_t index;
};

using cuda::shfl_down;  // the scalar shuffles of reduce.cuh, overloaded here for ArgState
template <typename T>
__device__ ArgState<T> shfl_down(ArgState<T> v, int d) {
  return {shfl_down(v.value, d), shfl_down(v.index, d)};
}

// argmax (kMax) / argmin: the better of two candidates under a total order,
// so the result does not depend on how threads meet: a NaN beats every
// number, then the larger (smaller) value, and on equal values (or two NaNs)
// the smaller index. Scanning left to right on the CPU finds the same one.
template <typename T, bool kMax>
struct ArgOp {
  using State = ArgState<T>;
  __device__ static State identity() { return {T(0), -1}; }
  __device__ static State from(T v, int64_t j) { return {v, j}; }
  __device__ static State combine(State a, State b) {
    if (a.index < 0) return b;
    if (b.index < 0) return a;
    const bool a_nan = a.value != a.value, b_nan = b.value != b.value;
    if (a_nan || b_nan) {
      if (a_nan && b_nan) return a.index <= b.index ? a : b;
      return a_nan ? a : b;
    }
    if (a.value == b.value) return a.index <= b.index ? a : b;
    return (kMax ? b.value > a.value : b.value < a.value) ? b : a;
  }
};

// ---- Where States come from and where they go. Pass 1 reads the input
// and, when split, writes partials; pass 2 reads the partials. ----

template <typename Op, typename T>
struct InputReader {
  const T* x;
  __device__ typename Op::State load(int64_t off, int64_t j) const { return Op::from(x[off], j); }
};

template <typename State>
struct PartialReader {
  const State* p;
  __device__ State load(int64_t off, int64_t) const { return p[off]; }
};

// out[off] = the result (float64 accumulators rounded to float32 here)
template <typename T, typename State>
struct ValueWriter {
  T* out;
  __device__ void write(int64_t off, int64_t, int64_t, const State& v) const { out[off] = static_cast<T>(v); }
};

template <typename T>
struct ArgWriter {
  T* values;
  int64_t* indices;
  __device__ void write(int64_t off, int64_t, int64_t, const ArgState<T>& v) const {
    values[off] = v.value;
    indices[off] = v.index;
  }
};

// the partial of output o, chunk s at p[o * o_stride + s * s_stride]
template <typename State>
struct PartialWriter {
  State* p;
  int64_t o_stride, s_stride;
  __device__ void write(int64_t, int64_t o, int64_t s, const State& v) const { p[o * o_stride + s * s_stride] = v; }
};

// ---- The kernels ----

// What a kernel needs to know (passed by value, a few hundred bytes).
struct ReducePlan {
  int64_t n_out = 0, n_red = 0;   // outputs; input elements per output
  int64_t splits = 1, chunk = 0;  // each output's elements in `splits` chunks of `chunk`
  StridedOffsets<2> kept;         // output number -> {offset in the output, offset of its first input}
  int64_t inner_size = 1;         // the innermost reduced dim (after sorting and merging) ...
  int64_t inner_stride = 0;       // ... and its stride
  StridedOffsets<1> outer;        // the other reduced dims: row number -> offset
};

__device__ inline int64_t outer_offset(const StridedOffsets<1>& so, int64_t row) {
  if (so.ndim == 0) return 0;
  int64_t off[1];
  so.offsets(row, off);
  return off[0];
}

__device__ inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

// Combines into acc the elements j0 <= j < j1 of one output (whose first input
// is at `base`) that belong to thread `tid` of `nthreads`: j = j0 + tid,
// j0 + tid + nthreads, ... Element j is column j % inner_size of row
// j / inner_size. When rows are at least as long as the thread count, we walk
// row by row (one division per row, not per element).
template <typename Op, typename Reader>
__device__ typename Op::State accumulate(typename Op::State acc, const Reader& in, int64_t base, const ReducePlan& p,
                                         int64_t j0, int64_t j1, int tid, int nthreads) {
  const int64_t ri = p.inner_size, si = p.inner_stride;
  if (ri >= nthreads) {
    for (int64_t r = j0 / ri; r * ri < j1; ++r) {
      const int64_t first = r * ri;  // element number of the row's column 0
      const int64_t lo = (j0 > first ? j0 - first : 0) + tid;
      const int64_t hi = j1 < first + ri ? j1 - first : ri;
      const int64_t row = base + outer_offset(p.outer, r);
#pragma unroll 4
      for (int64_t i = lo; i < hi; i += nthreads) acc = Op::combine(acc, in.load(row + i * si, first + i));
    }
  } else {
    for (int64_t j = j0 + tid; j < j1; j += nthreads) {
      const int64_t r = j / ri;
      acc = Op::combine(acc, in.load(base + outer_offset(p.outer, r) + (j - r * ri) * si, j));
    }
  }
  return acc;
}

// A warp's 32 States combined into lane 0: lane i takes lane i+16, then
// i+8, ..., i+1 (the other lanes end with partial combinations, unused).
template <typename Op>
__device__ typename Op::State warp_reduce(typename Op::State v) {
  for (int d = kWarp / 2; d > 0; d /= 2) v = Op::combine(v, shfl_down(v, d));
  return v;
}

// The block's States combined into thread 0: each warp reduces its own, lane
// 0 of each warp leaves the result in shared memory, and warp 0 reduces those.
// blockDim.x is a multiple of 32 (at most 1024, so at most 32 warps).
template <typename Op>
__device__ typename Op::State block_reduce(typename Op::State v, typename Op::State* scratch) {
  const int lane = threadIdx.x % kWarp, warp = threadIdx.x / kWarp;
  v = warp_reduce<Op>(v);
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  if (warp == 0) {
    const int n_warps = blockDim.x / kWarp;
    v = lane < n_warps ? scratch[lane] : Op::identity();
    v = warp_reduce<Op>(v);
  }
  __syncthreads();  // scratch is reused for the block's next output
  return v;
}

// out(o, s) = combine over chunk s of output o: one block per (o, s), the
// block's threads sharing the chunk.
template <typename Op, typename Reader, typename Writer>
__global__ void reduce_blocks_kernel(Reader in, Writer out, ReducePlan p) {
  using State = typename Op::State;
  __shared__ State scratch[kWarp];
  const int64_t items = p.n_out * p.splits;
  // The loop condition is the same for every thread of the block, as the
  // __syncthreads() inside block_reduce requires.
  for (int64_t w = blockIdx.x; w < items; w += gridDim.x) {
    const int64_t o = w / p.splits, s = w - o * p.splits;
    int64_t off[2];
    p.kept.offsets(o, off);
    const int64_t j0 = s * p.chunk, j1 = min64(p.n_red, j0 + p.chunk);
    State acc = accumulate<Op>(Op::identity(), in, off[1], p, j0, j1, threadIdx.x, blockDim.x);
    acc = block_reduce<Op>(acc, scratch);
    if (threadIdx.x == 0) out.write(off[0], o, s, acc);
  }
}

// out(o, s) = combine over chunk s of output o: one thread per (o, s), o
// varying fastest between neighbouring threads.
template <typename Op, typename Reader, typename Writer>
__global__ void reduce_threads_kernel(Reader in, Writer out, ReducePlan p) {
  DGM_GRID_STRIDE(t, p.n_out * p.splits) {
    const int64_t s = t / p.n_out, o = t - s * p.n_out;
    int64_t off[2];
    p.kept.offsets(o, off);
    const int64_t j0 = s * p.chunk, j1 = min64(p.n_red, j0 + p.chunk);
    out.write(off[0], o, s, accumulate<Op>(Op::identity(), in, off[1], p, j0, j1, 0, 1));
  }
}

// ---- The host side: describe the problem, choose a kernel, launch ----

// The problem on the host, before merging: kept dims (size > 1) by decreasing
// |input stride|, with the output's strides alongside; reduced dims (size > 1)
// by decreasing |stride|, merged where back to back.
struct HostPlan {
  Shape kept_shape, kept_out, kept_in;
  Shape red_shape, red_in;
  int64_t n_out = 1, n_red = 1;
};

HostPlan plan_for(const Tensor& x, const std::vector<bool>& reduced) {
  HostPlan p;
  Shape kept_all;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (!reduced[d]) kept_all.push_back(x.size(d));
  const Shape out_strides = contiguous_strides(kept_all);  // the output is contiguous
  struct Kept {
    int64_t size, out, in;
  };
  struct Red {
    int64_t size, in;
  };
  std::vector<Kept> kept;
  std::vector<Red> red;
  for (int64_t d = 0, k = 0; d < x.dim(); ++d) {
    if (reduced[d]) {
      p.n_red *= x.size(d);
      if (x.size(d) != 1) red.push_back({x.size(d), x.stride(d)});
    } else {
      p.n_out *= x.size(d);
      if (x.size(d) != 1) kept.push_back({x.size(d), out_strides[k], x.stride(d)});
      ++k;
    }
  }
  std::stable_sort(kept.begin(), kept.end(),
                   [](const Kept& a, const Kept& b) { return std::llabs(a.in) > std::llabs(b.in); });
  std::stable_sort(red.begin(), red.end(),
                   [](const Red& a, const Red& b) { return std::llabs(a.in) > std::llabs(b.in); });
  for (const Kept& k : kept) {
    p.kept_shape.push_back(k.size);
    p.kept_out.push_back(k.out);
    p.kept_in.push_back(k.in);
  }
  for (const Red& r : red) {
    if (!p.red_shape.empty() && p.red_in.back() == r.in * r.size) {  // back to back: one dim
      p.red_shape.back() *= r.size;
      p.red_in.back() = r.in;
    } else {
      p.red_shape.push_back(r.size);
      p.red_in.push_back(r.in);
    }
  }
  return p;
}

struct Launch {
  bool blocks = false;  // reduce_blocks_kernel (else reduce_threads_kernel)
  int block = kBlock;   // threads per block
  int64_t splits = 1, chunk = 0;
};

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Threads the GPU keeps resident at once (2048 per multiprocessor on sm_90).
int64_t resident_threads() {
  static const int64_t n = [] {
    int device = 0, sms = 0;
    if (cudaGetDevice(&device) != cudaSuccess ||
        cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device) != cudaSuccess || sms <= 0) {
      cudaGetLastError();  // clear it; guess an H100's 132 multiprocessors
      sms = 132;
    }
    return int64_t{sms} * 2048;
  }();
  return n;
}

// allow_split: pass 1 may cut each output's elements into chunks (pass 2,
// which reduces those partials, may not).
Launch choose(const HostPlan& p, bool allow_split) {
  Launch l;
  const int64_t resident = resident_threads();
  const int64_t red_inner = p.red_in.empty() ? 0 : std::llabs(p.red_in.back());
  const int64_t kept_inner = p.kept_in.empty() ? std::numeric_limits<int64_t>::max() : std::llabs(p.kept_in.back());
  // A block per output when the reduced side is the contiguous one, or there
  // are too few outputs for thread-per-output reads to be coalesced.
  l.blocks = p.n_red > 16 && (p.n_out < 16 || red_inner <= kept_inner);
  // Without splitting, a thread per output runs long loops over few outputs:
  // slow (the loads of one thread are issued nearly one after the other).
  if (!l.blocks && !allow_split && p.n_red > 64 && p.n_out < resident / 8) l.blocks = true;
  if (l.blocks) {
    l.block = 32;
    while (l.block < kBlock && l.block < p.n_red) l.block *= 2;
    const int64_t want = resident / l.block;  // blocks that fill the GPU
    // at least 16 elements per thread in each chunk
    if (allow_split && p.n_out < want) l.splits = std::min(ceil_div(want, p.n_out), p.n_red / (16 * l.block));
  } else {
    l.block = kBlock;
    // at least 32 elements per thread in each chunk
    if (allow_split && p.n_out < resident / 2) l.splits = std::min(ceil_div(resident, p.n_out), p.n_red / 32);
  }
  l.splits = std::max<int64_t>(l.splits, 1);
  l.chunk = ceil_div(p.n_red, l.splits);
  if (l.splits > 1 && l.blocks) l.chunk = ceil_div(l.chunk, l.block) * l.block;  // chunks start on aligned elements
  l.splits = ceil_div(p.n_red, l.chunk);
  return l;
}

ReducePlan device_plan(const char* op, const HostPlan& hp, const Launch& l) {
  ReducePlan p;
  p.n_out = hp.n_out;
  p.n_red = hp.n_red;
  p.splits = l.splits;
  p.chunk = l.chunk;
  p.kept = make_offsets<2>(op, hp.kept_shape, {&hp.kept_out, &hp.kept_in});
  if (!hp.red_shape.empty()) {
    p.inner_size = hp.red_shape.back();
    p.inner_stride = hp.red_in.back();
    const Shape outer_shape(hp.red_shape.begin(), hp.red_shape.end() - 1);
    const Shape outer_strides(hp.red_in.begin(), hp.red_in.end() - 1);
    p.outer = make_offsets<1>(op, outer_shape, {&outer_strides});
  }
  return p;
}

template <typename Op, typename Reader, typename Writer>
void run_pass(const char* op, const HostPlan& hp, const Launch& l, Reader in, Writer out) {
  const ReducePlan p = device_plan(op, hp, l);
  const int64_t items = hp.n_out * l.splits;
  if (l.blocks) {
    const auto grid = static_cast<unsigned>(std::min<int64_t>(items, int64_t{1} << 20));  // blocks loop beyond
    reduce_blocks_kernel<Op><<<grid, l.block, 0, stream()>>>(in, out, p);
  } else {
    reduce_threads_kernel<Op><<<grid_for(items, l.block), l.block, 0, stream()>>>(in, out, p);
  }
  check_launch(op);
}

// The whole reduction: one pass, or two through a scratch buffer of partials.
template <typename Op, typename Reader, typename Writer>
void run_reduction(const char* op, const HostPlan& hp, Reader in, Writer out, Device device) {
  const Launch l = choose(hp, /*allow_split=*/true);
  if (l.splits == 1) return run_pass<Op>(op, hp, l, in, out);
  using State = typename Op::State;
  // Blocks write each output's partials side by side, threads each chunk's
  // outputs side by side (so that both write coalesced).
  const int64_t o_stride = l.blocks ? l.splits : 1, s_stride = l.blocks ? 1 : hp.n_out;
  const int64_t bytes = hp.n_out * l.splits * static_cast<int64_t>(sizeof(State));
  Tensor scratch = empty({ceil_div(bytes, 8)}, kInt64, device);  // 8-byte aligned, freed in stream order
  auto* partial = static_cast<State*>(scratch.raw_data());
  run_pass<Op>(op, hp, l, in, PartialWriter<State>{partial, o_stride, s_stride});
  // Pass 2: the partials are a tensor of their own, (outputs, splits) with the strides above.
  HostPlan hp2;
  hp2.kept_shape = hp.kept_shape;
  hp2.kept_out = hp.kept_out;
  hp2.kept_in = contiguous_strides(hp.kept_shape);
  for (int64_t& s : hp2.kept_in) s *= o_stride;
  hp2.red_shape = {l.splits};
  hp2.red_in = {s_stride};
  hp2.n_out = hp.n_out;
  hp2.n_red = l.splits;
  run_pass<Op>(op, hp2, choose(hp2, /*allow_split=*/false), PartialReader<State>{partial}, out);
}

template <typename Op, typename T>
void reduce_values(const char* op, const HostPlan& hp, const Tensor& x, const Tensor& out) {
  run_reduction<Op>(op, hp, InputReader<Op, T>{static_cast<const T*>(x.raw_data())},
                    ValueWriter<T, typename Op::State>{static_cast<T*>(out.raw_data())}, x.device());
}

template <typename T>
void reduce_typed(Reduce op, const HostPlan& hp, const Tensor& x, const Tensor& out) {
  switch (op) {
    case Reduce::Sum:
      return reduce_values<SumOp<T>, T>("sum", hp, x, out);
    case Reduce::Prod:
      return reduce_values<ProdOp<T>, T>("prod", hp, x, out);
    case Reduce::Max:
      return reduce_values<MaxOp<T>, T>("max", hp, x, out);
    case Reduce::Min:
      return reduce_values<MinOp<T>, T>("min", hp, x, out);
  }
}

template <typename T, bool kMax>
void arg_values(const char* op, const HostPlan& hp, const Tensor& x, const Tensor& values, const Tensor& indices) {
  using Op = ArgOp<T, kMax>;
  run_reduction<Op>(op, hp, InputReader<Op, T>{static_cast<const T*>(x.raw_data())},
                    ArgWriter<T>{static_cast<T*>(values.raw_data()), static_cast<int64_t*>(indices.raw_data())},
                    x.device());
}

}  // namespace

// out = op over dims of x (warp shuffles, then a block reduction)
void reduce(Reduce op, const Tensor& out, const Tensor& x, const std::vector<int64_t>& dims) {
  std::vector<bool> reduced(x.dim(), false);
  for (int64_t d : dims) reduced[d] = true;
  const HostPlan hp = plan_for(x, reduced);
  if (hp.n_red == 0) {  // a sum (product) of nothing
    fill(out, op == Reduce::Prod ? 1.0 : 0.0);
    return;
  }
  dispatch_numeric(x.dtype(), "reduce", [&]<typename T>() { reduce_typed<T>(op, hp, x, out); });
}

// values, indices = the max (min) along dim and its first position
void arg_reduce(ArgReduce op, const Tensor& values, const Tensor& indices, const Tensor& x, int64_t dim) {
  const char* name = op == ArgReduce::Max ? "argmax" : "argmin";
  std::vector<bool> reduced(x.dim(), false);
  reduced[dim] = true;
  dispatch_numeric(x.dtype(), name, [&]<typename T>() {
    const HostPlan hp = plan_for(x, reduced);
    if (op == ArgReduce::Max)
      arg_values<T, true>(name, hp, x, values, indices);
    else
      arg_values<T, false>(name, hp, x, values, indices);
  });
}

}  // namespace dgm::cuda
