#include "models/train/option_range.h"

#include <cmath>
#include <sstream>

#include "tensor/error.h"

namespace dgm::models::train {

namespace {

std::string number_text(double v) {
  std::ostringstream out;
  out.precision(15);
  out << v;
  return out.str();
}

std::string note_text(const Range& r) { return r.note.empty() ? "" : " (" + r.note + ")"; }

}  // namespace

bool Range::contains(double v) const {
  if (std::isnan(v)) return false;
  const bool lo_ok = lo_open ? v > lo : v >= lo;
  const bool hi_ok = hi_open ? v < hi : v <= hi;
  return lo_ok && hi_ok;
}

std::string Range::text() const {
  const bool has_lo = std::isfinite(lo), has_hi = std::isfinite(hi);
  if (has_lo && has_hi)
    return "in " + std::string(lo_open ? "(" : "[") + number_text(lo) + ", " + number_text(hi) + (hi_open ? ")" : "]");
  if (has_lo) return (lo_open ? "> " : ">= ") + number_text(lo);
  if (has_hi) return (hi_open ? "< " : "<= ") + number_text(hi);
  return "";
}

Range Range::with_note(std::string n) const {
  Range r = *this;
  r.note = std::move(n);
  return r;
}

double check_number(const std::string& option, double value, const Range& range) {
  DGM_CHECK(std::isfinite(value) && range.contains(value), option, ": expected a finite number ", range.text(),
            note_text(range), ", got ", number_text(value));
  return value;
}

int64_t check_integer(const std::string& option, int64_t value, const Range& range) {
  DGM_CHECK(range.contains(static_cast<double>(value)), option, ": expected an integer ", range.text(),
            note_text(range), ", got ", value);
  return value;
}

const std::string& check_choice(const std::string& option, const std::string& value,
                                const std::vector<std::string>& choices) {
  for (const std::string& c : choices)
    if (c == value) return value;
  std::string known;
  for (const std::string& c : choices) known += (known.empty() ? "" : ", ") + c;
  DGM_FAIL(option, ": expected one of ", known, ", got \"", value, "\"");
}

double parse_number(const std::string& option, const std::string& text, const Range& range) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  DGM_CHECK(!text.empty() && used == text.size(), option, ": expected a finite number ", range.text(), note_text(range),
            ", got \"", text, "\"");
  return check_number(option, v, range);
}

int64_t parse_integer(const std::string& option, const std::string& text, const Range& range) {
  size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  DGM_CHECK(!text.empty() && used == text.size(), option, ": expected an integer ", range.text(), note_text(range),
            ", got \"", text, "\"");
  return check_integer(option, v, range);
}

uint64_t parse_unsigned(const std::string& option, const std::string& text) {
  size_t used = 0;
  unsigned long long v = 0;
  const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
  try {
    if (digits) v = std::stoull(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  DGM_CHECK(digits && used == text.size(), option, ": expected an integer in [0, ",
            std::numeric_limits<uint64_t>::max(), "], got \"", text, "\"");
  return v;
}

std::vector<int64_t> parse_labels(const std::string& text, int64_t classes) {
  const Range label = closed_open(0, static_cast<double>(classes)).with_note("the model's classes");
  std::vector<int64_t> out;
  const size_t dots = text.find("..");
  if (dots != std::string::npos) {
    const int64_t lo = parse_integer("--labels", text.substr(0, dots), label);
    const int64_t hi = parse_integer("--labels", text.substr(dots + 2), label);
    DGM_CHECK(lo <= hi, "--labels: expected a range LO..HI with LO <= HI, got \"", text, "\"");
    for (int64_t k = lo; k <= hi; ++k) out.push_back(k);
  } else {
    size_t start = 0;
    while (start <= text.size()) {
      const size_t comma = text.find(',', start);
      const size_t end = comma == std::string::npos ? text.size() : comma;
      out.push_back(parse_integer("--labels", text.substr(start, end - start), label));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

}  // namespace dgm::models::train
