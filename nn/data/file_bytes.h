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

// The file's bytes, decompressed when the file is gzip'd. `who` prefixes the
// error messages (e.g. "read_idx").
std::vector<uint8_t> read_file_bytes(const std::string& path, const std::string& who);

// Inflates a gzip stream held in memory (all members, as gunzip does).
// `name` is used in error messages.
std::vector<uint8_t> gunzip(const std::vector<uint8_t>& compressed, const std::string& name, const std::string& who);

}  // namespace dgm::nn::data
