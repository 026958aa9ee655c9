// The Gradebook and the Catch2 listener that prints the grading table at the
// end of every run of dgm_course_tests (the tasks and their points come from
// course/tasks.json: course_tasks.h).
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include "grading.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>
#include <utility>

#include "tensor/error.h"

namespace dgm::course {

Gradebook::Gradebook() : Gradebook(graded_tasks(), current_release()) {}

Gradebook::Gradebook(std::vector<GradedTask> tasks, Release release)
    : table_(std::move(tasks)), release_(std::move(release)) {}

std::string TaskResult::verdict() const {
  if (!released) return "not released";
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
  for (const GradedTask& t : table_) {
    if (!homeworks.count(t.homework)) continue;
    auto it = tasks_.find(t.id);
    TaskResult r = it != tasks_.end() ? it->second : TaskResult{};
    r.id = t.id;
    r.points = t.points;
    r.known = true;
    r.released = release_.released(t.homework);
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
std::string pad(const std::string& s, size_t width) {
  return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' ');
}
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
    std::string points = (r.released ? fmt_points(r.earned()) : std::string("-")) + "/" + fmt_points(r.points);
    out << pad(id, 8) << pad(points, 10) << pad(cases, 8) << one_line(r.verdict())
        << (r.known ? "" : "  (task id missing from course/tasks.json)") << "\n";
    if (!r.known || !r.released) continue;  // listed, but neither points nor a task of the total
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

  void testRunStarting(const Catch::TestRunInfo& info) override {
    Catch::TestEventListenerBase::testRunStarting(info);
    try {
      book_ = std::make_unique<dgm::course::Gradebook>();
    } catch (const std::exception& e) {  // a wrong course/tasks.json or course/released.json
      error_ = e.what();
      std::cerr << "dgm course: grading: " << error_ << std::endl;
    }
  }

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
    if (book_) book_->record_case(tags_, stats.totals.assertions.allOk(), failures_);
    Catch::TestEventListenerBase::testCaseEnded(stats);
  }

  void testRunEnded(const Catch::TestRunStats& stats) override {
    if (!book_) {
      std::cout << "\ndgm course: no grading table: " << error_ << std::endl;
    } else {
      std::string table = book_->render();
      if (!table.empty()) std::cout << table << std::flush;
    }
    Catch::TestEventListenerBase::testRunEnded(stats);
  }

 private:
  std::vector<std::string> tags_;
  std::vector<std::string> failures_;
  std::unique_ptr<dgm::course::Gradebook> book_;
  std::string error_;
};

}  // namespace

CATCH_REGISTER_LISTENER(GradingListener)
