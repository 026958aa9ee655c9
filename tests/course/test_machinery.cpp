// Tests of the grading machinery itself (not graded: no [hwN.k] tags).
#include <unistd.h>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>

#include "dgm.h"
#include "grading.h"
#include "reference.h"

using namespace dgm::course;

TEST_CASE("grading: task ids come from [hwN.k] tags only", "[machinery]") {
  CHECK(task_ids_of({"hw1", "hw1.4", "#test_hw1_imagegpt"}) == std::vector<std::string>{"hw1.4"});
  CHECK(task_ids_of({"[hw1.2]", "[hw1.3]", "hw1.2"}) == std::vector<std::string>{"hw1.2", "hw1.3"});
  CHECK(task_ids_of({"HW2.10"}) == std::vector<std::string>{"hw2.10"});
  CHECK(task_ids_of({"machinery", "hw1.", "xhw1.1"}).empty());
  CHECK(homework_of("hw12.3") == "hw12");
}

TEST_CASE("grading: the points table covers homework 1 with the course's points", "[machinery]") {
  double pixelcnn = 0, imagegpt = 0;
  for (const GradedTask& t : graded_tasks()) {
    CHECK(task_ids_of({t.id}) == std::vector<std::string>{t.id});
    if (t.id == "hw1.1" || t.id == "hw1.2" || t.id == "hw1.3") pixelcnn += t.points;
    if (t.id == "hw1.4" || t.id == "hw1.5" || t.id == "hw1.6") imagegpt += t.points;
  }
  CHECK(pixelcnn == Approx(5.0));  // the course's PixelCNN task
  CHECK(imagegpt == Approx(5.0));  // the course's ImageGPT task
}

TEST_CASE("grading: the task list is course/tasks.json, and its homeworks 1 to 5 are the course's", "[machinery]") {
  CHECK_THAT(tasks_file(), Catch::EndsWith("course/tasks.json"));
  std::vector<std::pair<std::string, double>> points;
  for (const GradedTask& t : graded_tasks()) points.emplace_back(t.id, t.points);
  CHECK(points == std::vector<std::pair<std::string, double>>{
                      {"hw1.1", 2.0}, {"hw1.2", 1.5}, {"hw1.3", 1.5},  {"hw1.4", 1.0},  {"hw1.5", 2.0},  {"hw1.6", 2.0},
                      {"hw2.1", 0.5}, {"hw2.2", 0.5}, {"hw2.3", 1.5},  {"hw2.4", 1.0},  {"hw2.5", 1.5},  {"hw2.6", 0.5},
                      {"hw2.7", 0.5}, {"hw2.8", 1.0}, {"hw2.9", 1.0},  {"hw2.10", 1.0}, {"hw2.11", 1.0}, {"hw3.1", 1.5},
                      {"hw3.2", 0.5}, {"hw3.3", 1.0}, {"hw3.4", 1.0},  {"hw3.5", 1.0},  {"hw3.6", 1.0},  {"hw3.7", 0.5},
                      {"hw3.8", 1.0}, {"hw3.9", 0.5}, {"hw3.10", 1.0}, {"hw3.11", 1.0}, {"hw4.1", 2.0},  {"hw4.2", 2.0},
                      {"hw4.3", 3.0}, {"hw4.4", 2.0}, {"hw5.1", 1.0},  {"hw5.2", 2.0},  {"hw5.3", 2.0},  {"hw5.4", 2.0},
                      {"hw5.5", 1.0}, {"hw5.6", 2.0}, {"hw6.1", 4.0},  {"hw6.2", 2.0},  {"hw6.3", 4.0}});
  // Homework 2's RealNVP task (task 2) is 5 points in the course, and so is its ResNet VAE task (task 3).
  const std::vector<std::string> realnvp_ids = {"hw2.1", "hw2.2", "hw2.3", "hw2.4", "hw2.5"};
  const std::vector<std::string> resnet_vae_ids = {"hw2.6", "hw2.7", "hw2.8", "hw2.9", "hw2.10", "hw2.11"};
  double realnvp = 0, resnet_vae = 0;
  for (const auto& [id, p] : points) {
    if (std::find(realnvp_ids.begin(), realnvp_ids.end(), id) != realnvp_ids.end()) realnvp += p;
    if (std::find(resnet_vae_ids.begin(), resnet_vae_ids.end(), id) != resnet_vae_ids.end()) resnet_vae += p;
  }
  CHECK(realnvp == Approx(5.0));
  CHECK(resnet_vae == Approx(5.0));
  // Homework 3's VQ-VAE task (task 2, with its PixelCNN prior) is 5 points in the course.
  const std::vector<std::string> vqvae_ids = {"hw3.1", "hw3.2", "hw3.3", "hw3.4", "hw3.5"};
  double vqvae = 0;
  for (const auto& [id, p] : points)
    if (std::find(vqvae_ids.begin(), vqvae_ids.end(), id) != vqvae_ids.end()) vqvae += p;
  CHECK(vqvae == Approx(5.0));
  // Its Wasserstein GAN task (task 3) is 5 points too.
  const std::vector<std::string> wgan_ids = {"hw3.6", "hw3.7", "hw3.8", "hw3.9", "hw3.10", "hw3.11"};
  double wgan = 0;
  for (const auto& [id, p] : points)
    if (std::find(wgan_ids.begin(), wgan_ids.end(), id) != wgan_ids.end()) wgan += p;
  CHECK(wgan == Approx(5.0));
  // Homework 4: denoising score matching on moons (task 2) is 4 points, the NCSN (task 3) 5; homework 5: the DDPM on
  // moons (task 2) and the UNet DDPM with guidance (task 3) are 5 points each (COURSE.md 1.4, 1.5).
  auto sum = [&](const std::vector<std::string>& ids) {
    double total = 0;
    for (const auto& [id, p] : points)
      if (std::find(ids.begin(), ids.end(), id) != ids.end()) total += p;
    return total;
  };
  CHECK(sum({"hw4.1", "hw4.2"}) == Approx(4.0));
  CHECK(sum({"hw4.3", "hw4.4"}) == Approx(5.0));
  CHECK(sum({"hw5.1", "hw5.2", "hw5.3"}) == Approx(5.0));
  CHECK(sum({"hw5.4", "hw5.5", "hw5.6"}) == Approx(5.0));
  // Homework 6: flow matching (task 2) is 4 points, rectified flow (task 3) 2, OT-CFM (task 3') 4 (COURSE.md 1.6).
  CHECK(sum({"hw6.1"}) == Approx(4.0));
  CHECK(sum({"hw6.2"}) == Approx(2.0));
  CHECK(sum({"hw6.3"}) == Approx(4.0));
}

TEST_CASE("grading: a wrong tasks.json is a dgm::Error naming the file and the task", "[machinery]") {
  auto parse = [](const std::string& text) { return parse_tasks(text, "x/tasks.json"); };
  const std::vector<GradedTask> ok =
      parse(R"({"tasks": [{"id": "hw2.1", "homework": "hw2", "points": 1.5, "title": "t"}]})");
  REQUIRE(ok.size() == 1);
  CHECK(ok[0].homework == "hw2");
  CHECK(ok[0].points == 1.5);
  CHECK_THROWS_WITH(parse("{\"tasks\": ["), Catch::StartsWith("x/tasks.json: not valid JSON"));
  CHECK_THROWS_WITH(parse(R"({"tasks": []})"), "x/tasks.json: no tasks");
  CHECK_THROWS_WITH(parse(R"({"tasks": [{"id": "hw2", "homework": "hw2", "points": 1, "title": "t"}]})"),
                    "x/tasks.json: task 'hw2': the id must be hw<N>.<k>");
  CHECK_THROWS_WITH(parse(R"({"tasks": [{"id": "hw2.1", "homework": "hw1", "points": 1, "title": "t"}]})"),
                    "x/tasks.json: task hw2.1: 'homework' must be \"hw2\"");
  CHECK_THROWS_WITH(parse(R"({"tasks": [{"id": "hw2.1", "homework": "hw2", "points": 0, "title": "t"}]})"),
                    "x/tasks.json: task hw2.1: 'points' must be a positive number");
  CHECK_THROWS_WITH(parse(R"({"tasks": [{"id": "hw2.1", "homework": "hw2", "points": "2", "title": "t"}]})"),
                    "x/tasks.json: task hw2.1: 'points' must be a positive number");
  CHECK_THROWS_WITH(parse(R"({"tasks": [{"id": "hw2.1", "homework": "hw2", "points": 1, "title": "t"},
                                        {"id": "hw2.1", "homework": "hw2", "points": 1, "title": "u"}]})"),
                    "x/tasks.json: task hw2.1: listed twice");
}

TEST_CASE("grading: released.json names the released homeworks; without it everything is", "[machinery]") {
  const std::vector<GradedTask> tasks = {{"hw1.1", "hw1", 2, "a"}, {"hw2.1", "hw2", 1, "b"}, {"hw3.1", "hw3", 1, "c"}};
  CHECK(Release{}.released("hw9"));
  Release r = parse_release(R"({"generated_by": "x", "homeworks": ["hw2"], "revealed": ["hw1"]})", "r.json", tasks);
  CHECK(r.released("hw1"));
  CHECK(r.released("hw2"));
  CHECK_FALSE(r.released("hw3"));
  CHECK_THROWS_WITH(parse_release(R"({"homeworks": ["hw4"]})", "r.json", tasks),
                    "r.json: homework 'hw4' has no task in the task list");
  CHECK_THROWS_WITH(parse_release(R"({"homeworks": []})", "r.json", tasks), "r.json: releases no homework");
  CHECK_THROWS_WITH(parse_release(R"({"revealed": ["hw1"]})", "r.json", tasks),
                    "r.json: expected an object with 'homeworks'");
  // this binary's tree: the solution tree (no released.json) releases everything, a student tree what its file says
  CHECK(current_release().everything == !std::filesystem::exists(released_file()));
  CHECK_THAT(released_file(), Catch::EndsWith("course/released.json"));
}

TEST_CASE("grading: tasks of a homework not released are 'not released' and not in the total", "[machinery]") {
  const std::vector<GradedTask> tasks = {{"hw1.1", "hw1", 2, "a"}, {"hw2.1", "hw2", 1.5, "b"}};
  Release release;
  release.everything = false;
  release.homeworks = {"hw1"};
  Gradebook book(tasks, release);
  book.record_case({"hw1", "hw1.1"}, true, {});
  book.record_case({"hw2", "hw2.1"}, false, {std::string("exception: ") + kNotImplementedPrefix + "hw2.1: stub"});
  std::vector<TaskResult> rs = book.results();
  REQUIRE(rs.size() == 2);
  CHECK(rs[0].verdict() == "passed");
  CHECK_FALSE(rs[1].released);
  CHECK(rs[1].verdict() == "not released");
  CHECK(rs[1].earned() == 0.0);
  std::string table = book.render();
  CHECK_THAT(table, Catch::Contains("hw2.1   -/1.5     0/1     not released"));
  CHECK_THAT(table, Catch::Contains("total   2.0/2.0   1/1 tasks passed"));

  Gradebook everything(tasks, Release{});  // the solution tree: the same cases are graded
  everything.record_case({"hw2", "hw2.1"}, false, {std::string("exception: ") + kNotImplementedPrefix + "hw2.1: stub"});
  CHECK(everything.results()[0].verdict() == "not implemented yet: hw2.1: stub");
}

TEST_CASE("grading: graded test cases and the task list must agree", "[machinery]") {
  const std::vector<GradedTask> tasks = {{"hw1.1", "hw1", 2, "a"}, {"hw1.2", "hw1", 1, "b"}};
  std::vector<TestCaseTags> cases = {{"one", {"hw1", "hw1.1"}, "t.cpp", 3}, {"two", {"[hw1]", "[HW1.2]"}, "t.cpp", 9}};
  CHECK(check_graded_tests(tasks, cases, "tasks.json").empty());
  cases.push_back({"bad id", {"hw1", "hw1.7"}, "u.cpp", 12});
  cases.push_back({"no homework tag", {"hw1.1", "reference"}, "u.cpp", 20});
  cases[1].tags = {"hw1"};  // hw1.2 loses its only case
  CHECK(check_graded_tests(tasks, cases, "tasks.json") ==
        std::vector<std::string>{
            "u.cpp:12: test case \"bad id\" is tagged [hw1.7], which is not a task in tasks.json",
            "u.cpp:20: test case \"no homework tag\" is tagged [hw1.1] but not [hw1] (a graded case carries its "
            "homework's tag)",
            "tasks.json: task hw1.2 has no test case tagged [hw1.2]"});
}

TEST_CASE("grading: every graded test case of this binary names a task of course/tasks.json, every task has one",
          "[machinery]") {
  std::vector<TestCaseTags> cases;
  for (const Catch::TestCase& tc : Catch::getRegistryHub().getTestCaseRegistry().getAllTests()) {
    std::string file = tc.lineInfo.file;
    size_t at = file.rfind("tests/course/");
    if (at != std::string::npos) file = file.substr(at);
    cases.push_back({tc.name, tc.tags, file, static_cast<int>(tc.lineInfo.line)});
  }
  std::vector<std::string> errors = check_graded_tests(graded_tasks(), cases, tasks_file());
  for (const std::string& e : errors) UNSCOPED_INFO(e);
  CHECK(errors.empty());
}

TEST_CASE("grading: passed, not implemented, wrong answer and not run", "[machinery]") {
  Gradebook book;
  CHECK(book.render().empty());
  book.record_case({"hw1", "hw1.1"}, true, {});
  book.record_case({"hw1", "hw1.1"}, true, {});
  book.record_case({"hw1", "hw1.2"}, true, {});
  book.record_case(
      {"hw1", "hw1.2"}, false,
      {"CHECK( a == b ) (x.cpp:1)", std::string("exception: ") + kNotImplementedPrefix + "hw1.2: fill the -1 pixels"});
  book.record_case({"hw1", "hw1.3"}, false, {"REQUIRE( bad == 0 ) (x.cpp:9)"});
  book.record_case({"hw1", "hw1.9"}, true, {});
  book.record_case({"machinery"}, false, {"ignored"});

  std::vector<TaskResult> rs = book.results();
  REQUIRE(rs.size() == 7);  // hw1.1 .. hw1.6, then the unknown hw1.9
  CHECK(rs[0].id == "hw1.1");
  CHECK(rs[0].passed());
  CHECK(rs[0].earned() == Approx(2.0));
  CHECK(rs[0].verdict() == "passed");
  CHECK(rs[1].cases_run == 2);
  CHECK(rs[1].cases_passed == 1);
  CHECK(rs[1].earned() == 0.0);
  CHECK(rs[1].verdict() == "not implemented yet: hw1.2: fill the -1 pixels");
  CHECK(rs[2].verdict() == "wrong answer: REQUIRE( bad == 0 ) (x.cpp:9)");
  CHECK(rs[3].verdict() == "not run");
  CHECK(rs[6].id == "hw1.9");
  CHECK_FALSE(rs[6].known);
  CHECK(rs[6].points == 0.0);

  std::string table = book.render();
  CHECK_THAT(table, Catch::Contains("hw1.1   2.0/2.0   2/2     passed"));
  CHECK_THAT(table, Catch::Contains("not implemented yet: hw1.2: fill the -1 pixels"));
  CHECK_THAT(table, Catch::Contains("total   2.0/10.0  1/6 tasks passed"));
  CHECK_THAT(table, Catch::Contains("hw1.9?"));
}

TEST_CASE("grading: other homeworks are listed only when one of their cases ran", "[machinery]") {
  Gradebook book;
  book.record_case({"hw7.1"}, true, {});
  std::vector<TaskResult> rs = book.results();
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].id == "hw7.1");
}

TEST_CASE("grading: dgm::NotImplemented is translated with its marker prefix", "[machinery]") {
  CHECK_THROWS_WITH(throw dgm::NotImplemented("hw1.4: causal mask"),
                    std::string(kNotImplementedPrefix) + "hw1.4: causal mask");
  CHECK_THROWS_WITH(throw dgm::Error("plain"), "plain");
}

TEST_CASE("ReferenceCase writes with DGM_WRITE_REFERENCES=1 and loads otherwise", "[machinery]") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("dgm_course_refs_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const char* old_write = std::getenv("DGM_WRITE_REFERENCES");
  std::string saved_write = old_write ? old_write : "";
  ::setenv("DGM_COURSE_REFERENCE_DIR", dir.c_str(), 1);

  dgm::Tensor t = dgm::tensor(std::vector<double>{1.5, -2.0, 3.25, 0.0}, {2, 2});
  dgm::Tensor out = dgm::tensor(std::vector<double>{7.0, -1.0}, {2});
  int calls = 0;
  {
    ::setenv("DGM_WRITE_REFERENCES", "1", 1);
    dgm::nn::Linear lin(2, 3);
    ReferenceCase ref("roundtrip");
    CHECK(ref.writing());
    ref.parameters(lin);
    dgm::Tensor x = ref.input("x", [&] {
      ++calls;
      return t;
    });
    CHECK(calls == 1);
    require_close(x, t, 0, 0);
    ref.check("y", out, 0, 0);
    CHECK_FALSE(fs::exists(dir / "roundtrip.safetensors"));  // only finish() writes
    ref.finish();
    CHECK(fs::exists(dir / "roundtrip.safetensors"));

    ::setenv("DGM_WRITE_REFERENCES", "0", 1);
    dgm::nn::Linear other(2, 3);
    ReferenceCase loaded("roundtrip");
    CHECK_FALSE(loaded.writing());
    loaded.parameters(other);  // the stored weights replace other's own
    require_close(other.weight, lin.weight, 0, 0);
    require_close(other.bias, lin.bias, 0, 0);
    require_close(loaded.input("x",
                               [&] {
                                 ++calls;
                                 return t * 2;
                               }),
                  t, 0, 0);
    CHECK(calls == 1);  // not computed when loading
    loaded.check("y", out, 0, 0);
    require_close(loaded.expected("y",
                                  [&] {
                                    ++calls;
                                    return t;
                                  }),
                  out, 0, 0);
    CHECK(calls == 1);
    CHECK_THROWS_AS(loaded.input("absent", [&] { return t; }), dgm::Error);
    CHECK_THROWS_AS(ReferenceCase("missing"), dgm::Error);
  }

  if (old_write)
    ::setenv("DGM_WRITE_REFERENCES", saved_write.c_str(), 1);
  else
    ::unsetenv("DGM_WRITE_REFERENCES");
  ::unsetenv("DGM_COURSE_REFERENCE_DIR");
  fs::remove_all(dir);
}
