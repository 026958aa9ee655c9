// The course's grading: a table of graded tasks (hw<N>.<k> -> points) and a
// Gradebook that collects test-case outcomes per task and renders the table
// that dgm_course_tests prints at the end of a run.
//
// A test case belongs to a task through its tag, e.g. TEST_CASE("...", "[hw1][hw1.4]").
// A task earns its points only when every one of its test cases that ran
// passed (all or nothing, as the course's unit tests are graded). A failed task
// is reported as
//   "not implemented yet: <message>"  when a case failed with dgm::NotImplemented
//                                      (the stub of the student tree), or
//   "wrong answer: <first failure>"   otherwise.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace dgm::course {

struct GradedTask {
  std::string id;     // "hw1.4"
  double points;      // as the course gives them
  std::string title;  // one line
};

// Every graded task of the course (tests/course/grading.cpp). The stub
// generator (course/make_student_tree.py) reads the ids from this table too:
// a BEGIN SOLUTION marker naming an id missing here is an error.
const std::vector<GradedTask>& graded_tasks();

// The task ids among Catch2 tags ("hw1.4" or "[hw1.4]"; "hw1" alone is not a task).
std::vector<std::string> task_ids_of(const std::vector<std::string>& tags);

// "hw1.4" -> "hw1".
std::string homework_of(const std::string& task_id);

// The prefix the Catch2 exception translator gives dgm::NotImplemented, so that
// a failure's message tells a stub from a wrong answer.
inline constexpr const char* kNotImplementedPrefix = "dgm::NotImplemented: ";

struct TaskResult {
  std::string id;
  double points = 0;        // the task's points (0 for an id missing from the table)
  bool known = true;        // whether the id is in graded_tasks()
  int cases_run = 0;
  int cases_passed = 0;
  int cases_not_implemented = 0;  // failed cases whose failure was dgm::NotImplemented
  std::string not_implemented_message;  // the first such message, without the prefix
  std::string wrong_answer_message;     // the first other failure
  bool passed() const { return cases_run > 0 && cases_passed == cases_run; }
  double earned() const { return passed() ? points : 0.0; }
  // "passed", "not implemented yet: ...", "wrong answer: ...", or "not run".
  std::string verdict() const;
};

class Gradebook {
 public:
  // One finished test case: its tags, whether it passed, and the messages of
  // its failed assertions (exception messages carry kNotImplementedPrefix when
  // the exception was dgm::NotImplemented). Cases without a task tag are ignored.
  void record_case(const std::vector<std::string>& tags, bool passed, const std::vector<std::string>& failures);

  // The graded tasks of every homework that had a case run (in table order;
  // tasks of those homeworks whose cases did not run are "not run"), then any
  // tagged id missing from the table.
  std::vector<TaskResult> results() const;

  // The table; empty when no graded case ran.
  std::string render() const;

  bool empty() const { return tasks_.empty(); }

 private:
  std::map<std::string, TaskResult> tasks_;
};

}  // namespace dgm::course
