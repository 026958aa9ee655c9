// The IDX file format of MNIST and Fashion-MNIST (yann.lecun.com/exdb/mnist):
//
//   bytes 0-1  zero
//   byte  2    element type code (0x08: unsigned byte, the only one these data sets use)
//   byte  3    number of dimensions d
//   then d big-endian int32 sizes, then the elements in row-major order.
//
// Files may be raw or gzip'd (detected by the gzip magic bytes 1f 8b, not by
// the name). dgm has no uint8 dtype, so read_idx returns the byte values
// 0..255 converted to `dtype` (float32 by default; int64 for labels).
// Every defect (bad magic, another element type, a size that does not match
// the header, a corrupt gzip stream) throws dgm::Error naming the file.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace dgm::nn::data {

// The IDX tensor stored in `path`, its byte values as `dtype`.
Tensor read_idx(const std::string& path, DType dtype = kFloat32);

// The same from bytes already in memory; `name` names them in error messages.
Tensor parse_idx(const std::vector<uint8_t>& bytes, const std::string& name, DType dtype = kFloat32);

}  // namespace dgm::nn::data
