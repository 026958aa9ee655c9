#include "nn/io/metrics.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "nn/io/atomic_file.h"
#include "nn/io/json.h"
#include "tensor/error.h"

namespace dgm::nn::io {

namespace {

// A metrics line is one flat record; nested values are kept as text, a few levels are plenty.
constexpr JsonLimits kMetricsLineLimits{16 << 20, 32};

const char* kind_name(const MetricValue& v) {
  return v.is_bool() ? "bool" : v.is_integer() ? "integer" : v.is_number() ? "number" : "string";
}

nlohmann::ordered_json to_json(const MetricRecord& record) {
  nlohmann::ordered_json object = nlohmann::ordered_json::object();
  for (const auto& [key, value] : record.fields())
    std::visit([&object, &key = key](const auto& v) { object[key] = v; }, value.variant());  // NaN/Inf dump as null
  return object;
}

MetricValue from_json(const nlohmann::ordered_json& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return static_cast<double>(v.get<uint64_t>());
    return v.get<int64_t>();
  }
  if (v.is_number()) return v.get<double>();
  if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (v.is_string()) return v.get<std::string>();
  return v.dump();  // objects and arrays: their JSON text
}

}  // namespace

double MetricValue::as_double() const {
  if (is_integer()) return static_cast<double>(std::get<int64_t>(value_));
  DGM_CHECK(std::holds_alternative<double>(value_), "MetricValue: expected a number, got a ", kind_name(*this));
  return std::get<double>(value_);
}
int64_t MetricValue::as_int() const {
  DGM_CHECK(is_integer(), "MetricValue: expected an integer, got a ", kind_name(*this));
  return std::get<int64_t>(value_);
}
bool MetricValue::as_bool() const {
  DGM_CHECK(is_bool(), "MetricValue: expected a bool, got a ", kind_name(*this));
  return std::get<bool>(value_);
}
const std::string& MetricValue::as_string() const {
  DGM_CHECK(is_string(), "MetricValue: expected a string, got a ", kind_name(*this));
  return std::get<std::string>(value_);
}

MetricRecord::MetricRecord(std::initializer_list<std::pair<std::string, MetricValue>> fields) {
  for (const auto& [key, value] : fields) set(key, value);
}

MetricRecord& MetricRecord::set(const std::string& key, MetricValue value) {
  for (auto& field : fields_)
    if (field.first == key) {
      field.second = std::move(value);
      return *this;
    }
  fields_.emplace_back(key, std::move(value));
  return *this;
}

bool MetricRecord::contains(const std::string& key) const {
  for (const auto& field : fields_)
    if (field.first == key) return true;
  return false;
}

const MetricValue& MetricRecord::at(const std::string& key) const {
  for (const auto& field : fields_)
    if (field.first == key) return field.second;
  DGM_FAIL("MetricRecord: no key '", key, "' in ", to_json_line(*this));
}

std::string to_json_line(const MetricRecord& record) { return to_json(record).dump(); }

MetricsWriter::MetricsWriter(const std::string& path, Mode mode) : path_(path) {
  if (mode == Mode::Truncate) write_file_atomic(path, std::string_view());
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    int err = errno;
    DGM_FAIL("MetricsWriter: cannot open '", path, "' for appending: ", std::strerror(err));
  }
}

MetricsWriter::~MetricsWriter() {
  if (fd_ >= 0) ::close(fd_);
}

MetricsWriter::MetricsWriter(MetricsWriter&& other) noexcept : path_(std::move(other.path_)), fd_(other.fd_) {
  other.fd_ = -1;
}

MetricsWriter& MetricsWriter::operator=(MetricsWriter&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

void MetricsWriter::write(const MetricRecord& record) {
  DGM_CHECK(fd_ >= 0, "MetricsWriter: writing to a moved-from writer");
  const std::string line = to_json_line(record) + "\n";
  // One write(2) call for the whole line keeps lines whole, even with several writers appending.
  size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      DGM_FAIL("MetricsWriter: cannot append to '", path_, "': ", std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
}

std::vector<MetricRecord> read_metrics(const std::string& path) { return parse_metrics(read_file(path), path); }

std::vector<MetricRecord> parse_metrics(const std::string& text, const std::string& path) {
  std::vector<MetricRecord> records;
  size_t begin = 0;
  for (int line_number = 1; begin < text.size(); ++line_number) {
    size_t end = text.find('\n', begin);
    const bool terminated = end != std::string::npos;
    if (!terminated) end = text.size();
    const std::string line = text.substr(begin, end - begin);
    begin = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::ordered_json object;
    try {
      object = parse_ordered_json(line, "read_metrics: '" + path + "' line " + std::to_string(line_number),
                                  kMetricsLineLimits);
    } catch (const Error&) {
      if (!terminated) break;  // the last line of a run that crashed mid-write
      throw;
    }
    DGM_CHECK(object.is_object(), "read_metrics: '", path, "' line ", line_number, " is not a JSON object");
    MetricRecord record;
    for (const auto& [key, value] : object.items()) record.set(key, from_json(value));
    records.push_back(std::move(record));
  }
  return records;
}

void write_metrics(const std::string& path, const std::vector<MetricRecord>& records) {
  std::string text;
  for (const MetricRecord& r : records) text += to_json_line(r) + "\n";
  write_file_atomic(path, text);
}

}  // namespace dgm::nn::io
