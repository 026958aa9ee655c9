#include "nn/io/json.h"

#include <cmath>

#include "tensor/error.h"

namespace dgm::nn::io {

int json_nesting_depth(std::string_view text, int stop_above) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > stop_above) return deepest;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

namespace {

template <typename Json>
Json parse_checked(std::string_view text, const std::string& what, JsonLimits limits) {
  DGM_CHECK(text.size() <= limits.max_bytes, what, ": ", text.size(), " bytes of JSON exceed the limit of ",
            limits.max_bytes, " bytes");
  DGM_CHECK(json_nesting_depth(text, limits.max_depth) <= limits.max_depth, what, ": JSON nests deeper than ",
            limits.max_depth, " levels");
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    DGM_FAIL(what, ": not valid JSON (", e.what(), ")");
  }
}

const char* kind_of(const nlohmann::json& v) {
  if (v.is_number_integer()) return "an integer";
  if (v.is_number_float()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a bool";
  if (v.is_null()) return "null";
  if (v.is_array()) return "an array";
  if (v.is_object()) return "an object";
  return "a value";
}

const nlohmann::json& member(const nlohmann::json& object, const std::string& key, const std::string& what) {
  DGM_CHECK(object.is_object(), what, ": expected an object holding \"", key, "\", got ", kind_of(object));
  auto it = object.find(key);
  DGM_CHECK(it != object.end(), what, ": missing \"", key, "\"");
  return *it;
}

}  // namespace

nlohmann::json parse_json(std::string_view text, const std::string& what, JsonLimits limits) {
  return parse_checked<nlohmann::json>(text, what, limits);
}

nlohmann::ordered_json parse_ordered_json(std::string_view text, const std::string& what, JsonLimits limits) {
  return parse_checked<nlohmann::ordered_json>(text, what, limits);
}

std::string json_excerpt(const nlohmann::json& value) {
  std::string s;
  try {
    s = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } catch (const nlohmann::json::exception&) {
    return kind_of(value);
  }
  return s.size() <= 60 ? s : s.substr(0, 57) + "...";
}

int64_t json_int(const nlohmann::json& v, int64_t min, int64_t max, const std::string& what) {
  bool in_range = false;
  int64_t out = 0;
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    in_range = max >= 0 && u <= static_cast<uint64_t>(max) && static_cast<int64_t>(u) >= min;
    out = static_cast<int64_t>(u);
  } else if (v.is_number_integer()) {
    out = v.get<int64_t>();
    in_range = out >= min && out <= max;
  }
  DGM_CHECK(in_range, what, ": expected an integer in [", min, ", ", max, "], got ", kind_of(v), " ", json_excerpt(v));
  return out;
}

double json_finite_number(const nlohmann::json& v, const std::string& what) {
  DGM_CHECK(v.is_number(), what, ": expected a number, got ", kind_of(v), " ", json_excerpt(v));
  const double d = v.get<double>();
  DGM_CHECK(std::isfinite(d), what, ": expected a finite number, got ", json_excerpt(v));
  return d;
}

std::string json_string(const nlohmann::json& v, const std::string& what) {
  DGM_CHECK(v.is_string(), what, ": expected a string, got ", kind_of(v), " ", json_excerpt(v));
  return v.get<std::string>();
}

int64_t json_int(const nlohmann::json& object, const std::string& key, int64_t min, int64_t max,
                 const std::string& what) {
  return json_int(member(object, key, what), min, max, what + " \"" + key + "\"");
}

std::string json_string(const nlohmann::json& object, const std::string& key, const std::string& what) {
  return json_string(member(object, key, what), what + " \"" + key + "\"");
}

}  // namespace dgm::nn::io
