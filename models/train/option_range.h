// The one check every option value of a run goes through, from the command
// line, a preset or code: a value outside its allowed range is a dgm::Error
// that names the option, the range and the value given,
//   --lr: expected a finite number > 0, got inf
//   --threads: expected an integer in [1, 64] (at most 4 x the 16 hardware threads), got 100000
#pragma once
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace dgm::models::train {

// An interval of allowed values; each end open or closed, or unbounded.
struct Range {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false, hi_open = false;
  std::string note;  // why the range, or what a special value means: "0: all"

  bool contains(double v) const;
  // "> 0", ">= 0", "in [0, 1)", "in [1, 4096]".
  std::string text() const;
  Range with_note(std::string n) const;
};

inline Range above(double lo) { return {lo, std::numeric_limits<double>::infinity(), true, false, ""}; }
inline Range at_least(double lo) { return {lo, std::numeric_limits<double>::infinity(), false, false, ""}; }
inline Range closed_open(double lo, double hi) { return {lo, hi, false, true, ""}; }  // [lo, hi)
inline Range closed(double lo, double hi) { return {lo, hi, false, false, ""}; }      // [lo, hi]

// `value` when it is finite and in `range`; otherwise a dgm::Error
// "<option>: expected a finite number <range> (<note>), got <value>".
double check_number(const std::string& option, double value, const Range& range);
// The same for integers: "<option>: expected an integer <range> (<note>), got <value>".
int64_t check_integer(const std::string& option, int64_t value, const Range& range);
// One of `choices`: "<option>: expected one of a, b, c, got \"x\"".
const std::string& check_choice(const std::string& option, const std::string& value,
                                const std::vector<std::string>& choices);

// The same checks on text (a command-line value): text that is not a number
// (or not a whole integer) is the same error, with the text quoted.
double parse_number(const std::string& option, const std::string& text, const Range& range);
int64_t parse_integer(const std::string& option, const std::string& text, const Range& range);
// Any unsigned 64-bit integer (a seed).
uint64_t parse_unsigned(const std::string& option, const std::string& text);
// `dgm sample --labels`: "0..9" (inclusive), "3", "1,3,5"; each label an integer in [0, classes).
std::vector<int64_t> parse_labels(const std::string& text, int64_t classes);

}  // namespace dgm::models::train
