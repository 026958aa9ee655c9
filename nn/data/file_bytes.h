// Reading a whole data file into memory, gunzipping it when it is gzip'd.
//
// A file is taken as gzip when it starts with the gzip magic bytes 1f 8b;
// otherwise its bytes are returned as they are. Every failure (missing file,
// unreadable file, corrupt or truncated gzip stream) throws dgm::Error naming
// the file and what is wrong.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace dgm::nn::data {

// True when `path` names an existing regular file.
bool file_exists(const std::string& path);

// A gzip stream may inflate to at most this many bytes (2 GiB; the largest data
// file dgm reads, CIFAR-10's train batches, is 30 MB): a corrupt or hostile file
// that inflates without bound is a dgm::Error, not an exhausted memory.
constexpr size_t kMaxInflatedBytes = size_t{2} << 30;

// The file's bytes, decompressed when the file is gzip'd. `who` prefixes the
// error messages (e.g. "read_idx").
std::vector<uint8_t> read_file_bytes(const std::string& path, const std::string& who,
                                     size_t max_inflated = kMaxInflatedBytes);

// The same for bytes already in memory: gunzipped when they start with the gzip magic bytes.
std::vector<uint8_t> decode_file_bytes(std::vector<uint8_t> bytes, const std::string& name, const std::string& who,
                                       size_t max_inflated = kMaxInflatedBytes);

// Inflates a gzip stream held in memory (all members, as gunzip does); more
// than `max_inflated` bytes of output is a dgm::Error naming the limit.
// `name` is used in error messages.
std::vector<uint8_t> gunzip(const std::vector<uint8_t>& compressed, const std::string& name, const std::string& who,
                            size_t max_inflated = kMaxInflatedBytes);

}  // namespace dgm::nn::data
