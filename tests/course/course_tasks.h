// The course's task list, read from course/tasks.json (the one place each task
// is written down; course/README.md), which homeworks a tree releases
// (course/released.json, written into a student tree by
// course/make_student_tree.py; absent in the solution tree), and the check that
// the graded test cases and the task list agree.
#pragma once
#include <set>
#include <string>
#include <vector>

namespace dgm::course {

struct GradedTask {
  std::string id;        // "hw1.4"
  std::string homework;  // "hw1"
  double points = 0;     // as the course gives them
  std::string title;     // one line
};

// The task ids among Catch2 tags ("hw1.4" or "[hw1.4]"; "hw1" alone is not a task).
std::vector<std::string> task_ids_of(const std::vector<std::string>& tags);

// "hw1.4" -> "hw1".
std::string homework_of(const std::string& task_id);

// The tasks in a tasks.json text, in file order. `where` names the file in the
// dgm::Error thrown for malformed JSON, a malformed or duplicate id, a homework
// that does not match the id, or points that are not a positive number.
std::vector<GradedTask> parse_tasks(const std::string& json_text, const std::string& where);

// The file the binary reads: DGM_COURSE_TASKS_FILE, baked in by CMake
// (<source tree>/course/tasks.json).
std::string tasks_file();

// The tasks of tasks_file(), loaded once (dgm::Error if it is missing or wrong).
const std::vector<GradedTask>& graded_tasks();

// Which homeworks a tree releases. In the solution tree (no released.json)
// everything is released; in a student tree the homeworks it was generated for
// and those whose solutions it reveals.
struct Release {
  bool everything = true;
  std::set<std::string> homeworks;
  bool released(const std::string& homework) const { return everything || homeworks.count(homework) > 0; }
};

// A released.json text: {"homeworks": ["hw1"], "revealed": [...], ...}; every
// homework named must be one of `tasks` (dgm::Error naming `where` otherwise).
Release parse_release(const std::string& json_text, const std::string& where, const std::vector<GradedTask>& tasks);

// DGM_COURSE_RELEASED_FILE (<source tree>/course/released.json); a missing file
// means the solution tree: everything released.
std::string released_file();
const Release& current_release();

// One registered test case, as far as grading cares.
struct TestCaseTags {
  std::string name;
  std::vector<std::string> tags;
  std::string file;
  int line = 0;
};

// The disagreements between the graded test cases and the task list, one
// message each ("file:line: ..." or "<tasks_where>: task ...."): a case tagged
// [hwN.k] for a task that is not in the list, a case tagged [hwN.k] but not
// [hwN], a task without any case. Empty when they agree.
std::vector<std::string> check_graded_tests(const std::vector<GradedTask>& tasks,
                                            const std::vector<TestCaseTags>& cases, const std::string& tasks_where);

}  // namespace dgm::course
