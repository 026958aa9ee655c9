// Training metrics as JSON lines: one JSON object per line, e.g.
//   {"epoch":1,"split":"test","loss":0.4213}
// MetricsWriter appends a line per write() and hands it to the OS at once (one
// write(2) per line, no user-space buffer), so a crash loses at most the line
// being written; read_metrics skips such an unterminated last line. Keys keep
// the order they were set in. NaN and infinities are written as null (JSON has
// no NaN) and read back as NaN.
#pragma once
#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace dgm::nn::io {

// One value in a record: bool, integer, floating point or string.
class MetricValue {
 public:
  MetricValue(bool b) : value_(b) {}  // NOLINT: implicit, so records read like JSON
  template <std::integral T>
  requires(!std::same_as<T, bool>) MetricValue(T i) : value_(static_cast<int64_t>(i)) {}  // NOLINT
  template <std::floating_point T>
  MetricValue(T d) : value_(static_cast<double>(d)) {}    // NOLINT
  MetricValue(const char* s) : value_(std::string(s)) {}  // NOLINT
  MetricValue(std::string s) : value_(std::move(s)) {}    // NOLINT

  bool is_bool() const { return std::holds_alternative<bool>(value_); }
  bool is_integer() const { return std::holds_alternative<int64_t>(value_); }
  bool is_number() const { return is_integer() || std::holds_alternative<double>(value_); }
  bool is_string() const { return std::holds_alternative<std::string>(value_); }
  // Throw dgm::Error on a value of another kind; as_double also accepts integers.
  double as_double() const;
  int64_t as_int() const;
  bool as_bool() const;
  const std::string& as_string() const;
  const std::variant<bool, int64_t, double, std::string>& variant() const { return value_; }
  bool operator==(const MetricValue& other) const = default;

 private:
  std::variant<bool, int64_t, double, std::string> value_;
};

// An ordered set of key -> value, one JSON object.
class MetricRecord {
 public:
  MetricRecord() = default;
  MetricRecord(std::initializer_list<std::pair<std::string, MetricValue>> fields);
  MetricRecord& set(const std::string& key, MetricValue value);  // replaces an existing key in place
  bool contains(const std::string& key) const;
  const MetricValue& at(const std::string& key) const;  // dgm::Error naming the key if absent
  double number(const std::string& key) const { return at(key).as_double(); }
  const std::string& text(const std::string& key) const { return at(key).as_string(); }
  const std::vector<std::pair<std::string, MetricValue>>& fields() const { return fields_; }
  bool operator==(const MetricRecord& other) const = default;

 private:
  std::vector<std::pair<std::string, MetricValue>> fields_;
};

std::string to_json_line(const MetricRecord& record);  // without the newline

class MetricsWriter {
 public:
  enum class Mode { Append, Truncate };
  // Append keeps existing lines (resuming a run); Truncate starts an empty file.
  explicit MetricsWriter(const std::string& path, Mode mode = Mode::Append);
  ~MetricsWriter();
  MetricsWriter(const MetricsWriter&) = delete;
  MetricsWriter& operator=(const MetricsWriter&) = delete;
  MetricsWriter(MetricsWriter&& other) noexcept;
  MetricsWriter& operator=(MetricsWriter&& other) noexcept;

  void write(const MetricRecord& record);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

// Every record of a JSON-lines file. Blank lines are skipped; a malformed line
// is a dgm::Error naming the file and line number (except an unterminated last
// line, left by a crash mid-write, which is skipped). Nested objects and arrays
// are kept as their JSON text.
std::vector<MetricRecord> read_metrics(const std::string& path);
// The same for the text of such a file; `name` names it in error messages.
std::vector<MetricRecord> parse_metrics(const std::string& text, const std::string& name);

// Replaces the file with `records` atomically, e.g. to drop the epochs after the
// checkpoint a run resumes from.
void write_metrics(const std::string& path, const std::vector<MetricRecord>& records);

}  // namespace dgm::nn::io
