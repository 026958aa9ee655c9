// Checked JSON for the files dgm reads (safetensors headers, run metadata,
// metrics lines). Every parse goes through parse_json: the text's size and
// nesting depth are bounded before nlohmann sees it (a linear scan outside
// strings), and every nlohmann exception becomes a dgm::Error naming what was
// being read. The typed accessors check kind and range, so a string where a
// number belongs, 1e999, or -1 as a size is a dgm::Error, never an abort.
//
// This header includes nlohmann/json.hpp; dgm.h does not include it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace dgm::nn::io {

struct JsonLimits {
  size_t max_bytes;
  int max_depth;  // [ and { open levels; 1 for a flat object
};

// JSON documents kept as strings in a checkpoint's __metadata__ (a run's settings and config).
constexpr JsonLimits kMetadataJsonLimits{1 << 20, 32};

// `what` prefixes every message, e.g. "load_safetensors: 'a.safetensors': header".
nlohmann::json parse_json(std::string_view text, const std::string& what, JsonLimits limits);
nlohmann::ordered_json parse_ordered_json(std::string_view text, const std::string& what, JsonLimits limits);

// The deepest nesting of [ and { in `text` outside strings, stopping early once
// it passes `stop_above`.
int json_nesting_depth(std::string_view text, int stop_above);

// A short form of `value` for messages (at most ~60 characters).
std::string json_excerpt(const nlohmann::json& value);

// Typed reads of one value: dgm::Error "<what>: expected ..., got ..." when the
// kind or the range is wrong.
int64_t json_int(const nlohmann::json& value, int64_t min, int64_t max, const std::string& what);
double json_finite_number(const nlohmann::json& value, const std::string& what);
std::string json_string(const nlohmann::json& value, const std::string& what);
// The same for the member `key` of an object, which must be present.
int64_t json_int(const nlohmann::json& object, const std::string& key, int64_t min, int64_t max,
                 const std::string& what);
std::string json_string(const nlohmann::json& object, const std::string& key, const std::string& what);

}  // namespace dgm::nn::io
