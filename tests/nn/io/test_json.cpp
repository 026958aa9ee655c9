// Checked JSON (nn/io/json.h) and the files read with it: hostile numbers,
// wrong types and deep nesting in safetensors headers, run metadata and
// metrics lines are a dgm::Error naming the file and the value, never an
// escaping nlohmann exception or a stack overflow.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>

#include "nn/io/json.h"
#include "tests/helpers.h"

using namespace dgm;
using namespace dgm::nn::io;

namespace {

std::string u64_le(uint64_t v) {
  std::string s;
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return s;
}

std::string safetensors_bytes(const std::string& header, const std::string& data = "") {
  return u64_le(header.size()) + header + data;
}

std::string nested_arrays(int depth) { return std::string(static_cast<size_t>(depth), '[') + std::string(depth, ']'); }

constexpr JsonLimits kSmall{1000, 4};

}  // namespace

TEST_CASE("parse_json bounds the size and the nesting depth before parsing", "[json]") {
  CHECK(json_nesting_depth("{\"a\": [1, {\"b\": []}]}", 100) == 4);
  CHECK(json_nesting_depth("\"[[[[\"", 100) == 0);           // brackets inside strings do not count
  CHECK(json_nesting_depth("[\"\\\"[[\", [1]]", 100) == 2);  // nor after an escaped quote
  CHECK(parse_json("[[[[1]]]]", "doc", kSmall)[0][0][0][0] == 1);
  REQUIRE_THROWS_WITH(parse_json(nested_arrays(5), "doc", kSmall), "doc: JSON nests deeper than 4 levels");
  // 100000 levels: nlohmann would build it, but printing or comparing it recurses 100000 deep.
  REQUIRE_THROWS_WITH(parse_json(nested_arrays(100000), "doc", kMetadataJsonLimits),
                      "doc: JSON nests deeper than 32 levels");
  REQUIRE_THROWS_WITH(parse_json(std::string(1001, ' '), "doc", kSmall),
                      "doc: 1001 bytes of JSON exceed the limit of 1000 bytes");
}

TEST_CASE("parse_json turns every nlohmann exception into a dgm::Error", "[json]") {
  // 1e999 overflows a double: nlohmann throws out_of_range (not parse_error) for it.
  REQUIRE_THROWS_AS(parse_json("[1e999]", "doc", kSmall), Error);
  REQUIRE_THROWS_WITH(parse_json("[1e999]", "doc", kSmall),
                      Catch::StartsWith("doc: not valid JSON (") && Catch::Contains("number overflow"));
  REQUIRE_THROWS_WITH(parse_json("{\"a\":", "doc", kSmall), Catch::StartsWith("doc: not valid JSON ("));
  REQUIRE_THROWS_AS(parse_ordered_json("{\"a\": -1e400}", "doc", kSmall), Error);
}

TEST_CASE("typed accessors check kind and range", "[json]") {
  const nlohmann::json j = parse_json(
      R"({"n": 5, "neg": -1, "huge": 99999999999999999999999, "text": "7", "big": 18446744073709551615, "f": 2.5})",
      "doc", kSmall);
  CHECK(json_int(j, "n", 0, 10, "doc") == 5);
  REQUIRE_THROWS_WITH(json_int(j, "neg", 0, 10, "doc"),
                      "doc \"neg\": expected an integer in [0, 10], got an integer -1");
  // Past uint64, nlohmann reads an integer as a double.
  REQUIRE_THROWS_WITH(json_int(j, "huge", 0, 10, "doc"),
                      "doc \"huge\": expected an integer in [0, 10], got a number 9.999999999999999e+22");
  REQUIRE_THROWS_WITH(json_int(j, "text", 0, 10, "doc"),
                      "doc \"text\": expected an integer in [0, 10], got a string \"7\"");
  REQUIRE_THROWS_WITH(json_int(j, "big", 0, std::numeric_limits<int64_t>::max(), "doc"),
                      Catch::Contains("got an integer 18446744073709551615"));
  REQUIRE_THROWS_WITH(json_int(j, "missing", 0, 10, "doc"), "doc: missing \"missing\"");
  REQUIRE_THROWS_WITH(json_int(j["f"], 0, 10, "doc f"), "doc f: expected an integer in [0, 10], got a number 2.5");
  CHECK(json_finite_number(j["f"], "f") == 2.5);
  REQUIRE_THROWS_WITH(json_finite_number(j["text"], "t"), "t: expected a number, got a string \"7\"");
  CHECK(json_string(j, "text", "doc") == "7");
  REQUIRE_THROWS_WITH(json_string(j, "n", "doc"), "doc \"n\": expected a string, got an integer 5");
  REQUIRE_THROWS_WITH(json_int(nlohmann::json::array(), "k", 0, 1, "doc"),
                      "doc: expected an object holding \"k\", got an array");
  // A long value is shortened in the message.
  const nlohmann::json long_text = std::string(500, 'x');
  try {
    json_int(long_text, 0, 1, "doc");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).size() < 150);
  }
}

TEST_CASE("safetensors headers with hostile numbers, types and nesting are errors", "[json][io]") {
  auto error_of = [](const std::string& header, const std::string& data = "") {
    try {
      parse_safetensors(safetensors_bytes(header, data), "h.safetensors");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string pre = "load_safetensors: 'h.safetensors': ";
  CHECK(error_of(R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,1e999]}})", std::string(8, '\0'))
            .starts_with(pre + "header: not valid JSON ("));
  CHECK(error_of(R"({"x":{"dtype":"F32","shape":[99999999999999999999999],"data_offsets":[0,8]}})") ==
        pre +
            "tensor 'x': shape size: expected an integer in [0, 9223372036854775807], got a number "
            "9.999999999999999e+22");
  CHECK(error_of(R"({"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,8]}})") ==
        pre + "tensor 'x': shape size: expected an integer in [0, 9223372036854775807], got an integer -1");
  CHECK(error_of(R"({"x":{"dtype":"F32","shape":[2],"data_offsets":["0",8]}})") ==
        pre + "tensor 'x': data_offsets[0]: expected an integer in [0, 9223372036854775807], got a string \"0\"");
  CHECK(error_of(R"({"x":{"dtype":5,"shape":[2],"data_offsets":[0,8]}})") ==
        pre + "tensor 'x': entry \"dtype\": expected a string, got an integer 5");
  CHECK(error_of(R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,18446744073709551615]}})") ==
        pre +
            "tensor 'x': data_offsets[1]: expected an integer in [0, 9223372036854775807], got an integer "
            "18446744073709551615");
  CHECK(error_of(R"({"__metadata__":{"k":[1]}})") ==
        pre + "__metadata__ value of 'k': expected a string, got an array [1]");
  CHECK(error_of(nested_arrays(100000)) == pre + "header: JSON nests deeper than 3 levels");
  CHECK(error_of(R"({"x":{"dtype":"F32","shape":[[2]],"data_offsets":[0,8]}})") ==
        pre + "header: JSON nests deeper than 3 levels");
  // A zero size hides a 2^80-element shape from the element count, not from the check.
  CHECK(error_of(R"({"x":{"dtype":"F32","shape":[0,1099511627776,1099511627776],"data_offsets":[0,0]}})") ==
        pre +
            "tensor 'x': shape: shape (0,1099511627776,1099511627776) is too large (its element count or strides "
            "overflow int64)");
  CHECK(error_of(R"({"x":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,0]}})")
            .starts_with(pre + "tensor 'x': shape: shape (2305843009213693952) of 8-byte elements is too large"));
}

TEST_CASE("metrics lines with hostile numbers or nesting are errors naming the line", "[json][io]") {
  namespace fs = std::filesystem;
  const std::string path =
      (fs::temp_directory_path() / ("dgm_test_json_" + std::to_string(::getpid()) + ".jsonl")).string();
  auto read_text = [&](const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
    try {
      read_metrics(path);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(read_text("{\"loss\": 1}\n{\"loss\": 1e999}\n")
            .starts_with("read_metrics: '" + path + "' line 2: not valid JSON ("));
  CHECK(read_text("{\"a\": " + nested_arrays(100000) + "}\n") ==
        "read_metrics: '" + path + "' line 1: JSON nests deeper than 32 levels");
  // An unterminated last line (a crash mid-write) is still skipped, whatever it holds.
  CHECK(read_text("{\"loss\": 1}\n{\"loss\": 1e99") == "no error");
  fs::remove(path);
}
