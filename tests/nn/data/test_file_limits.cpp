// Data files that claim impossible sizes: a gzip stream that inflates without
// bound (a gzip bomb) stops at a named limit, and IDX headers whose shape
// overflows int64 (a zero size among huge ones included) are errors before
// any stride or allocation is computed.
#include <zlib.h>

#include <cstdint>
#include <vector>

#include "nn/data/data.h"
#include "tests/helpers.h"

using namespace dgm;
using namespace dgm::nn::data;
using Bytes = std::vector<uint8_t>;

namespace {

// A gzip stream of `n` zero bytes, compressed in chunks (about 1000x smaller than n).
Bytes gzip_zeros(size_t n) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY) == Z_OK);
  const Bytes zeros(1 << 16, 0);
  Bytes out;
  Bytes buffer(1 << 16);
  size_t left = n;
  int rc = Z_OK;
  do {
    const size_t take = std::min(left, zeros.size());
    zs.next_in = const_cast<Bytef*>(zeros.data());
    zs.avail_in = static_cast<uInt>(take);
    left -= take;
    const int flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
    do {
      zs.next_out = buffer.data();
      zs.avail_out = static_cast<uInt>(buffer.size());
      rc = deflate(&zs, flush);
      out.insert(out.end(), buffer.data(), buffer.data() + (buffer.size() - zs.avail_out));
    } while (zs.avail_out == 0);
  } while (left > 0);
  REQUIRE(rc == Z_STREAM_END);
  deflateEnd(&zs);
  return out;
}

Bytes idx_header(const std::vector<uint32_t>& dims) {
  Bytes b{0, 0, 0x08, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(d >> s));
  return b;
}

}  // namespace

TEST_CASE("gunzip stops a stream that inflates past its limit", "[data][gzip]") {
  const Bytes bomb = gzip_zeros(size_t{16} << 20);  // 16 MiB of zeros in ~16 KiB
  REQUIRE(bomb.size() < 100'000);
  REQUIRE_THROWS_WITH(gunzip(bomb, "bomb.gz", "read_idx", size_t{1} << 20),
                      "read_idx: 'bomb.gz': inflates to more than 1048576 bytes (the limit for a gzip'd data file; "
                      "a corrupt file or a gzip bomb?)");
  REQUIRE_THROWS_WITH(decode_file_bytes(bomb, "bomb.gz", "read_idx", size_t{1} << 20), Catch::Contains("1048576"));
  // Exactly at the limit is fine; one byte below is not.
  const Bytes exact = gzip_zeros(5000);
  CHECK(gunzip(exact, "exact.gz", "read_idx", 5000).size() == 5000);
  REQUIRE_THROWS_WITH(gunzip(exact, "exact.gz", "read_idx", 4999), Catch::Contains("more than 4999 bytes"));
  // The default limit is 2 GiB, far above any data file dgm reads.
  CHECK(kMaxInflatedBytes == size_t{2} << 30);
  CHECK(gunzip(bomb, "bomb.gz", "read_idx").size() == size_t{16} << 20);
}

TEST_CASE("IDX headers whose shape overflows are errors", "[data][idx]") {
  // Before the check, the zero size let (0, 2^32-1, 2^32-1, 2^32-1) through with strides past 2^64.
  REQUIRE_THROWS_WITH(parse_idx(idx_header({0, 0xffffffffu, 0xffffffffu, 0xffffffffu}), "zero.idx"),
                      "read_idx: 'zero.idx': the header's shape: shape (0,4294967295,4294967295,4294967295) is too "
                      "large (its element count or strides overflow int64)");
  REQUIRE_THROWS_WITH(parse_idx(idx_header({0xffffffffu, 0xffffffffu, 0xffffffffu}), "big.idx"),
                      Catch::Contains("read_idx: 'big.idx': the header's shape: shape (4294967295,4294967295,"
                                      "4294967295) is too large"));
  // 2^62 elements fit in int64, their 2^65 bytes as float64 do not.
  REQUIRE_THROWS_WITH(parse_idx(idx_header({0x80000000u, 0x80000000u}), "wide.idx"),
                      Catch::Contains("read_idx: 'wide.idx': the header's shape: shape (2147483648,2147483648) of "
                                      "8-byte elements is too large"));
  // A valid empty shape still reads.
  CHECK(parse_idx(idx_header({0, 28, 28}), "empty.idx").shape() == Shape{0, 28, 28});
}

TEST_CASE("parse_cifar10_batch reads records from memory", "[data][cifar]") {
  Bytes b(kCifarRecordBytes, 7);
  b[0] = 3;
  ImageSet s = parse_cifar10_batch(b, "mem");
  CHECK(s.images.shape() == Shape{1, 3, 32, 32});
  CHECK(s.labels.to_vector<int64_t>() == std::vector<int64_t>{3});
  CHECK(s.images.sum().item<double>() == 7.0 * 3072);
  REQUIRE_THROWS_WITH(parse_cifar10_batch(Bytes(5, 0), "mem"), Catch::Contains("'mem' has 5 bytes"));
}
