// course/tasks.json and course/released.json, read with nlohmann_json; the
// check that the graded test cases and the task list agree.
#include "course_tasks.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "tensor/error.h"

#ifndef DGM_COURSE_TASKS_FILE
#define DGM_COURSE_TASKS_FILE "course/tasks.json"
#endif
#ifndef DGM_COURSE_RELEASED_FILE
#define DGM_COURSE_RELEASED_FILE "course/released.json"
#endif

namespace dgm::course {

namespace {

const std::regex& task_re() {
  static const std::regex re("^(hw[0-9]+)\\.[0-9]+$");
  return re;
}

nlohmann::json parse_json(const std::string& text, const std::string& where) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(where + ": not valid JSON: " + e.what());
  }
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot read it");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::vector<std::string> task_ids_of(const std::vector<std::string>& tags) {
  static const std::regex tag_re("^\\[?(hw[0-9]+\\.[0-9]+)\\]?$", std::regex::icase);
  std::vector<std::string> ids;
  for (const std::string& tag : tags) {
    std::smatch m;
    if (std::regex_match(tag, m, tag_re)) {
      std::string id = m[1].str();
      std::transform(id.begin(), id.end(), id.begin(), [](unsigned char c) { return std::tolower(c); });
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    }
  }
  return ids;
}

std::string homework_of(const std::string& task_id) { return task_id.substr(0, task_id.find('.')); }

std::vector<GradedTask> parse_tasks(const std::string& json_text, const std::string& where) {
  nlohmann::json doc = parse_json(json_text, where);
  if (!doc.is_object() || !doc.contains("tasks") || !doc["tasks"].is_array())
    throw Error(where + ": expected an object with a list 'tasks'");
  std::vector<GradedTask> tasks;
  for (const nlohmann::json& t : doc["tasks"]) {
    if (!t.is_object() || !t.contains("id") || !t["id"].is_string())
      throw Error(where + ": a task without a string 'id': " + t.dump());
    GradedTask g;
    g.id = t["id"].get<std::string>();
    std::smatch m;
    if (!std::regex_match(g.id, m, task_re())) throw Error(where + ": task '" + g.id + "': the id must be hw<N>.<k>");
    const std::string at = where + ": task " + g.id;
    if (!t.contains("homework") || !t["homework"].is_string() || t["homework"].get<std::string>() != m[1].str())
      throw Error(at + ": 'homework' must be \"" + m[1].str() + "\"");
    g.homework = m[1].str();
    if (!t.contains("points") || !t["points"].is_number() || !(t["points"].get<double>() > 0))
      throw Error(at + ": 'points' must be a positive number");
    g.points = t["points"].get<double>();
    if (!t.contains("title") || !t["title"].is_string() || t["title"].get<std::string>().empty())
      throw Error(at + ": 'title' must be a non-empty string");
    g.title = t["title"].get<std::string>();
    for (const GradedTask& other : tasks)
      if (other.id == g.id) throw Error(at + ": listed twice");
    tasks.push_back(g);
  }
  if (tasks.empty()) throw Error(where + ": no tasks");
  return tasks;
}

std::string tasks_file() { return DGM_COURSE_TASKS_FILE; }

const std::vector<GradedTask>& graded_tasks() {
  static const std::vector<GradedTask> tasks = parse_tasks(read_file(tasks_file()), tasks_file());
  return tasks;
}

Release parse_release(const std::string& json_text, const std::string& where, const std::vector<GradedTask>& tasks) {
  nlohmann::json doc = parse_json(json_text, where);
  Release r;
  r.everything = false;
  if (!doc.is_object() || !doc.contains("homeworks")) throw Error(where + ": expected an object with 'homeworks'");
  for (const char* key : {"homeworks", "revealed"}) {
    if (!doc.contains(key)) continue;
    if (!doc[key].is_array()) throw Error(where + ": '" + key + "' must be a list of homeworks");
    for (const nlohmann::json& h : doc[key]) {
      if (!h.is_string()) throw Error(where + ": '" + key + "' must be a list of homeworks, got " + h.dump());
      const std::string hw = h.get<std::string>();
      bool known = std::any_of(tasks.begin(), tasks.end(), [&](const GradedTask& t) { return t.homework == hw; });
      if (!known) throw Error(where + ": homework '" + hw + "' has no task in the task list");
      r.homeworks.insert(hw);
    }
  }
  if (r.homeworks.empty()) throw Error(where + ": releases no homework");
  return r;
}

std::string released_file() { return DGM_COURSE_RELEASED_FILE; }

const Release& current_release() {
  static const Release release = [] {
    std::ifstream probe(released_file());
    if (!probe) return Release{};  // the solution tree
    return parse_release(read_file(released_file()), released_file(), graded_tasks());
  }();
  return release;
}

std::vector<std::string> check_graded_tests(const std::vector<GradedTask>& tasks,
                                            const std::vector<TestCaseTags>& cases, const std::string& tasks_where) {
  std::vector<std::string> errors;
  std::map<std::string, int> cases_of;
  for (const GradedTask& t : tasks) cases_of[t.id] = 0;
  for (const TestCaseTags& c : cases) {
    const std::string at = c.file + ":" + std::to_string(c.line) + ": test case \"" + c.name + "\"";
    std::vector<std::string> lower;
    for (std::string tag : c.tags) {
      std::transform(tag.begin(), tag.end(), tag.begin(), [](unsigned char ch) { return std::tolower(ch); });
      if (tag.size() > 1 && tag.front() == '[' && tag.back() == ']') tag = tag.substr(1, tag.size() - 2);
      lower.push_back(tag);
    }
    for (const std::string& id : task_ids_of(c.tags)) {
      auto it = cases_of.find(id);
      if (it == cases_of.end()) {
        errors.push_back(at + " is tagged [" + id + "], which is not a task in " + tasks_where);
        continue;
      }
      it->second += 1;
      const std::string hw = homework_of(id);
      if (std::find(lower.begin(), lower.end(), hw) == lower.end())
        errors.push_back(at + " is tagged [" + id + "] but not [" + hw +
                         "] (a graded case carries its homework's tag)");
    }
  }
  for (const GradedTask& t : tasks)
    if (cases_of[t.id] == 0)
      errors.push_back(tasks_where + ": task " + t.id + " has no test case tagged [" + t.id + "]");
  return errors;
}

}  // namespace dgm::course
