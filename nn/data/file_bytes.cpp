#include "nn/data/file_bytes.h"

#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <limits>

#include "tensor/error.h"

namespace dgm::nn::data {

bool file_exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

std::vector<uint8_t> gunzip(const std::vector<uint8_t>& in, const std::string& name, const std::string& who,
                            size_t max_inflated) {
  z_stream zs{};
  // 16 + MAX_WBITS: expect the gzip wrapper (header, deflate data, CRC-32 and length trailer).
  DGM_CHECK(inflateInit2(&zs, 16 + MAX_WBITS) == Z_OK, who, ": '", name, "': zlib could not start inflating");
  // The gzip trailer ends with the uncompressed size mod 2^32 (ISIZE): allocate that (plus one byte, so the
  // buffer never fills before the trailer is read) when it is plausible (deflate expands at most ~1032x).
  size_t guess = in.size() * 4;
  if (in.size() >= 18) {
    const uint8_t* t = in.data() + in.size() - 4;
    const size_t isize = size_t{t[0]} | size_t{t[1]} << 8 | size_t{t[2]} << 16 | size_t{t[3]} << 24;
    if (isize <= in.size() * 1032) guess = isize + 1;
  }
  // One byte more than the limit may be written: that byte is how an over-long stream is detected.
  std::vector<uint8_t> out(std::min(std::max<size_t>(guess, 1024), max_inflated + 1));
  size_t in_pos = 0, out_pos = 0;
  std::string error;
  for (;;) {
    // zlib counts in uInt; feed at most 1 GiB at a time.
    const size_t chunk = size_t{1} << 30;
    if (zs.avail_in == 0 && in_pos < in.size()) {
      zs.next_in = const_cast<Bytef*>(in.data() + in_pos);
      zs.avail_in = static_cast<uInt>(std::min(chunk, in.size() - in_pos));
      in_pos += zs.avail_in;
    }
    if (out_pos > max_inflated) break;
    if (out_pos == out.size()) out.resize(std::min(out.size() * 2, max_inflated + 1));
    zs.next_out = out.data() + out_pos;
    zs.avail_out = static_cast<uInt>(std::min(chunk, out.size() - out_pos));
    const uInt before = zs.avail_out;
    const int rc = inflate(&zs, Z_NO_FLUSH);
    out_pos += before - zs.avail_out;
    if (rc == Z_STREAM_END) {
      // Another gzip member may follow (concatenated .gz files), as gunzip reads them.
      const size_t consumed = in_pos - zs.avail_in;
      if (consumed < in.size() && in[consumed] == 0x1f) {
        inflateReset(&zs);
        continue;
      }
      break;
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR && zs.avail_in == 0 && in_pos == in.size()) {
      error = "the gzip stream ends early (truncated file?)";
      break;
    }
    if (rc == Z_BUF_ERROR) continue;  // no progress possible with this output space: grow it
    error = std::string("corrupt gzip stream (zlib: ") + (zs.msg ? zs.msg : "error " + std::to_string(rc)) + ")";
    break;
  }
  inflateEnd(&zs);
  DGM_CHECK(out_pos <= max_inflated, who, ": '", name, "': inflates to more than ", max_inflated,
            " bytes (the limit for a gzip'd data file; a corrupt file or a gzip bomb?)");
  DGM_CHECK(error.empty(), who, ": '", name, "': ", error);
  out.resize(out_pos);
  return out;
}

std::vector<uint8_t> decode_file_bytes(std::vector<uint8_t> bytes, const std::string& name, const std::string& who,
                                       size_t max_inflated) {
  if (bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b) return gunzip(bytes, name, who, max_inflated);
  return bytes;
}

std::vector<uint8_t> read_file_bytes(const std::string& path, const std::string& who, size_t max_inflated) {
  DGM_CHECK(file_exists(path), who, ": '", path, "' does not exist or is not a file");
  std::ifstream f(path, std::ios::binary);
  DGM_CHECK(f.good(), who, ": cannot open '", path, "'");
  f.seekg(0, std::ios::end);
  const std::streamoff size = f.tellg();
  DGM_CHECK(size >= 0, who, ": cannot read the size of '", path, "'");
  f.seekg(0, std::ios::beg);
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  if (size > 0) f.read(reinterpret_cast<char*>(bytes.data()), size);
  DGM_CHECK(f.good() || (size == 0), who, ": error reading '", path, "'");
  return decode_file_bytes(std::move(bytes), path, who, max_inflated);
}

}  // namespace dgm::nn::data
