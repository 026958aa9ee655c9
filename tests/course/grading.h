// The course's grading: a Gradebook that collects test-case outcomes per task
// of course/tasks.json (course_tasks.h) and renders the table that
// dgm_course_tests prints at the end of a run.
//
// A test case belongs to a task through its tag, e.g. TEST_CASE("...", "[hw1][hw1.4]").
// A task earns its points only when every one of its test cases that ran
// passed (all or nothing, as the course's unit tests are graded). A failed task
// is reported as
//   "not implemented yet: <message>"  when a case failed with dgm::NotImplemented
//                                      (the stub of the student tree), or
//   "wrong answer: <first failure>"   otherwise,
// and a task of a homework the tree does not release (course/released.json of a
// student tree) as "not released", whatever its cases did.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "course_tasks.h"

namespace dgm::course {

// The prefix the Catch2 exception translator gives dgm::NotImplemented, so that
// a failure's message tells a stub from a wrong answer.
inline constexpr const char* kNotImplementedPrefix = "dgm::NotImplemented: ";

struct TaskResult {
  std::string id;
  double points = 0;     // the task's points (0 for an id missing from the task list)
  bool known = true;     // whether the id is in the task list
  bool released = true;  // whether the tree releases the task's homework
  int cases_run = 0;
  int cases_passed = 0;
  int cases_not_implemented = 0;        // failed cases whose failure was dgm::NotImplemented
  std::string not_implemented_message;  // the first such message, without the prefix
  std::string wrong_answer_message;     // the first other failure
  bool passed() const { return released && cases_run > 0 && cases_passed == cases_run; }
  double earned() const { return passed() ? points : 0.0; }
  // "not released", "passed", "not implemented yet: ...", "wrong answer: ...", or "not run".
  std::string verdict() const;
};

class Gradebook {
 public:
  // The course's tasks (graded_tasks()) and this tree's release (current_release()).
  Gradebook();
  Gradebook(std::vector<GradedTask> tasks, Release release);

  // One finished test case: its tags, whether it passed, and the messages of
  // its failed assertions (exception messages carry kNotImplementedPrefix when
  // the exception was dgm::NotImplemented). Cases without a task tag are ignored.
  void record_case(const std::vector<std::string>& tags, bool passed, const std::vector<std::string>& failures);

  // The graded tasks of every homework that had a case run (in task-list order;
  // tasks of those homeworks whose cases did not run are "not run"), then any
  // tagged id missing from the task list.
  std::vector<TaskResult> results() const;

  // The table; empty when no graded case ran. Tasks not released are listed
  // but count neither in the points nor in the tasks of the total.
  std::string render() const;

  bool empty() const { return tasks_.empty(); }

 private:
  std::vector<GradedTask> table_;
  Release release_;
  std::map<std::string, TaskResult> tasks_;
};

}  // namespace dgm::course
