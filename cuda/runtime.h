// Helpers every .cu file of the backend uses: error checks, the stream,
// launch sizes. Internal (needs the CUDA headers); not part of <dgm/dgm.h>.
//
// All work goes to the legacy default stream (stream 0): kernels, cuBLAS,
// cuDNN and copies then run in the order they were issued, so a block freed
// by one op can be handed to the next op at once without any event.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

#include "tensor/tensor.h"

namespace dgm::cuda {

// The stream every kernel of dgm is launched on.
inline cudaStream_t stream() { return 0; }

// Throws dgm::Error naming the call, the op and CUDA's message.
#define DGM_CUDA_CHECK(expr, op)                                                                             \
  do {                                                                                                       \
    cudaError_t dgm_err_ = (expr);                                                                           \
    if (dgm_err_ != cudaSuccess)                                                                             \
      throw ::dgm::Error(::dgm::detail::concat(op, ": ", #expr, " failed: ", cudaGetErrorString(dgm_err_))); \
  } while (0)

// After every launch: a bad configuration shows at once; in debug builds (or
// with DGM_CUDA_SYNC=1 in the environment) we also wait for the kernel, so
// that a fault inside it is reported by the op that caused it.
void check_launch(const char* op);

// Threads per block for the 1-D kernels, and enough blocks to cover n
// elements (grid-stride loops cover the rest when n is huge).
constexpr int kBlock = 256;
inline unsigned grid_for(int64_t n, int block = kBlock) {
  int64_t blocks = (n + block - 1) / block;
  if (blocks > (int64_t{1} << 20)) blocks = int64_t{1} << 20;  // grid-stride beyond ~268M threads
  return static_cast<unsigned>(blocks < 1 ? 1 : blocks);
}

}  // namespace dgm::cuda
