// safetensors: the checkpoint format of Hugging Face (and PyTorch users).
//
//   [8 bytes]  N, the header length, unsigned little-endian
//   [N bytes]  JSON header, padded with spaces to a multiple of 8:
//              {"__metadata__": {"key": "value", ...},
//               "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...}
//   [rest]     raw little-endian tensor bytes; data_offsets count from the end of the header.
//
// dgm reads and writes the dtypes it has: F32, F64, I64, BOOL. Files from
// Python's safetensors with these dtypes load; other dtypes (F16, BF16, I32, ...)
// are rejected with a message naming the dtype. The writer lays tensors out as
// the reference implementation does (descending dtype, I64 > F64 > F32 > BOOL,
// then by name; "__metadata__" first; compact JSON with keys dtype, shape,
// data_offsets), so a file is byte-identical to safetensors.torch.save_file's.
// Files are written atomically (nn/io/atomic_file.h).
#pragma once
#include <map>
#include <string>

#include "nn/state_dict.h"

namespace dgm::nn::io {

using Metadata = std::map<std::string, std::string>;

// Non-contiguous or CUDA tensors are copied to contiguous CPU memory first;
// autograd state (requires_grad, grad) is not saved.
void save_safetensors(const std::string& path, const nn::StateDict& tensors, const Metadata& metadata = {});

// The serialized bytes, as save_safetensors would write them.
std::string serialize_safetensors(const nn::StateDict& tensors, const Metadata& metadata = {});

struct SafetensorsFile {
  nn::StateDict tensors;
  Metadata metadata;
};

// Loaded tensors are CPU, contiguous, and do not require grad. Any malformed
// file is a dgm::Error naming the file and the problem.
nn::StateDict load_safetensors(const std::string& path);
SafetensorsFile load_safetensors_with_metadata(const std::string& path);

// Parses bytes already in memory; `name` is used in error messages.
SafetensorsFile parse_safetensors(const std::string& bytes, const std::string& name = "<memory>");

}  // namespace dgm::nn::io
