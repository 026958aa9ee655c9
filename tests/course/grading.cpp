// The course's points table and the Catch2 listener that prints the grading
// table at the end of every run of dgm_course_tests.
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include "grading.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>

#include "tensor/error.h"

namespace dgm::course {

// The course gives homework 1 15 points: 5 for theory (not code) and 5 each for
// the PixelCNN task and the ImageGPT task. The 10 code points are split here:
//   PixelCNN 5 pt = hw1.1 (2) + hw1.2 (1.5) + hw1.3 (1.5)
//   ImageGPT 5 pt = hw1.4 (1) + hw1.5 (2) + hw1.6 (2)
// The stub generator reads the ids from the lines below ({"hwN.k", ...).
const std::vector<GradedTask>& graded_tasks() {
  static const std::vector<GradedTask> tasks = {
      {"hw1.1", 2.0, "PixelCNN forward (MaskedConv2d is given code)"},
      {"hw1.2", 1.5, "PixelCNN autocompletion: sample only the pixels equal to -1"},
      {"hw1.3", 1.5, "receptive field map from the input gradient (binary and weighted)"},
      {"hw1.4", 1.0, "ImageGPT causal attention mask"},
      {"hw1.5", 2.0, "ImageGPT pre-LN TransformerBlock"},
      {"hw1.6", 2.0, "ImageGPT model: sos token, embeddings, forward, loss, sample"},
  };
  return tasks;
}

std::vector<std::string> task_ids_of(const std::vector<std::string>& tags) {
  static const std::regex task_re("^\\[?(hw[0-9]+\\.[0-9]+)\\]?$", std::regex::icase);
  std::vector<std::string> ids;
  for (const std::string& tag : tags) {
    std::smatch m;
    if (std::regex_match(tag, m, task_re)) {
      std::string id = m[1].str();
      std::transform(id.begin(), id.end(), id.begin(), [](unsigned char c) { return std::tolower(c); });
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    }
  }
  return ids;
}

std::string homework_of(const std::string& task_id) { return task_id.substr(0, task_id.find('.')); }

std::string TaskResult::verdict() const {
  if (cases_run == 0) return "not run";
  if (passed()) return "passed";
  if (cases_not_implemented > 0) return "not implemented yet: " + not_implemented_message;
  return "wrong answer: " + wrong_answer_message;
}

void Gradebook::record_case(const std::vector<std::string>& tags, bool passed,
                            const std::vector<std::string>& failures) {
  const std::string prefix = kNotImplementedPrefix;
  for (const std::string& id : task_ids_of(tags)) {
    TaskResult& r = tasks_[id];
    r.id = id;
    r.cases_run += 1;
    if (passed) {
      r.cases_passed += 1;
      continue;
    }
    bool not_implemented = false;
    for (const std::string& f : failures) {
      size_t at = f.find(prefix);
      if (at != std::string::npos) {
        if (!not_implemented && r.not_implemented_message.empty())
          r.not_implemented_message = f.substr(at + prefix.size());
        not_implemented = true;
      }
    }
    if (not_implemented) {
      r.cases_not_implemented += 1;
    } else if (r.wrong_answer_message.empty()) {
      r.wrong_answer_message = failures.empty() ? "the test case failed" : failures.front();
    }
  }
}

std::vector<TaskResult> Gradebook::results() const {
  std::set<std::string> homeworks;
  for (const auto& [id, r] : tasks_) homeworks.insert(homework_of(id));
  std::vector<TaskResult> out;
  std::set<std::string> listed;
  for (const GradedTask& t : graded_tasks()) {
    if (!homeworks.count(homework_of(t.id))) continue;
    auto it = tasks_.find(t.id);
    TaskResult r = it != tasks_.end() ? it->second : TaskResult{};
    r.id = t.id;
    r.points = t.points;
    r.known = true;
    out.push_back(r);
    listed.insert(t.id);
  }
  for (const auto& [id, r] : tasks_) {
    if (listed.count(id)) continue;
    TaskResult u = r;
    u.points = 0;
    u.known = false;
    out.push_back(u);
  }
  return out;
}

namespace {
std::string fmt_points(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}
std::string one_line(std::string s, size_t max_len = 200) {
  for (char& c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  if (s.size() > max_len) s = s.substr(0, max_len - 3) + "...";
  return s;
}
std::string pad(const std::string& s, size_t width) { return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' '); }
}  // namespace

std::string Gradebook::render() const {
  if (tasks_.empty()) return "";
  std::ostringstream out;
  out << "\n==================== dgm course: grading ====================\n";
  out << pad("task", 8) << pad("points", 10) << pad("cases", 8) << "result\n";
  double earned = 0, total = 0;
  int passed = 0, n = 0;
  for (const TaskResult& r : results()) {
    std::string id = r.known ? r.id : r.id + "?";
    std::string cases = std::to_string(r.cases_passed) + "/" + std::to_string(r.cases_run);
    out << pad(id, 8) << pad(fmt_points(r.earned()) + "/" + fmt_points(r.points), 10) << pad(cases, 8)
        << one_line(r.verdict()) << (r.known ? "" : "  (task id missing from tests/course/grading.cpp)") << "\n";
    if (!r.known) continue;  // listed, but neither points nor a task
    earned += r.earned();
    total += r.points;
    passed += r.passed() ? 1 : 0;
    n += 1;
  }
  out << pad("total", 8) << pad(fmt_points(earned) + "/" + fmt_points(total), 10) << passed << "/" << n
      << " tasks passed (a task's points need every one of its test cases to pass)\n";
  out << "=============================================================\n";
  return out.str();
}

}  // namespace dgm::course

// ---- the Catch2 side ----

CATCH_TRANSLATE_EXCEPTION(const dgm::NotImplemented& e) {
  return std::string(dgm::course::kNotImplementedPrefix) + e.what();
}

namespace {

std::string describe(const Catch::AssertionResult& r) {
  std::ostringstream s;
  if (r.getResultType() == Catch::ResultWas::ThrewException) {
    s << "exception: " << r.getMessage();
  } else {
    if (r.hasExpression()) {
      s << r.getExpressionInMacro();
      if (r.hasExpandedExpression()) s << " with expansion " << r.getExpandedExpression();
    }
    if (r.hasMessage()) s << (r.hasExpression() ? ": " : "") << r.getMessage();
  }
  const Catch::SourceLineInfo& at = r.getSourceInfo();
  std::string file = at.file ? at.file : "";
  size_t slash = file.find_last_of('/');
  if (slash != std::string::npos) file = file.substr(slash + 1);
  s << " (" << file << ":" << at.line << ")";
  return s.str();
}

class GradingListener : public Catch::TestEventListenerBase {
 public:
  using Catch::TestEventListenerBase::TestEventListenerBase;

  void testCaseStarting(const Catch::TestCaseInfo& info) override {
    Catch::TestEventListenerBase::testCaseStarting(info);
    tags_ = info.tags;
    failures_.clear();
  }

  bool assertionEnded(const Catch::AssertionStats& stats) override {
    const Catch::AssertionResult& r = stats.assertionResult;
    if (!r.isOk()) failures_.push_back(describe(r));
    return true;
  }

  void testCaseEnded(const Catch::TestCaseStats& stats) override {
    book_.record_case(tags_, stats.totals.assertions.allOk(), failures_);
    Catch::TestEventListenerBase::testCaseEnded(stats);
  }

  void testRunEnded(const Catch::TestRunStats& stats) override {
    std::string table = book_.render();
    if (!table.empty()) std::cout << table << std::flush;
    Catch::TestEventListenerBase::testRunEnded(stats);
  }

 private:
  std::vector<std::string> tags_;
  std::vector<std::string> failures_;
  dgm::course::Gradebook book_;
};

}  // namespace

CATCH_REGISTER_LISTENER(GradingListener)
