// Tests of the grading machinery itself (not graded: no [hwN.k] tags).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>

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

TEST_CASE("grading: passed, not implemented, wrong answer and not run", "[machinery]") {
  Gradebook book;
  CHECK(book.render().empty());
  book.record_case({"hw1", "hw1.1"}, true, {});
  book.record_case({"hw1", "hw1.1"}, true, {});
  book.record_case({"hw1", "hw1.2"}, true, {});
  book.record_case({"hw1", "hw1.2"}, false,
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
    dgm::Tensor x = ref.input("x", [&] { ++calls; return t; });
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
    require_close(loaded.input("x", [&] { ++calls; return t * 2; }), t, 0, 0);
    CHECK(calls == 1);  // not computed when loading
    loaded.check("y", out, 0, 0);
    require_close(loaded.expected("y", [&] { ++calls; return t; }), out, 0, 0);
    CHECK(calls == 1);
    CHECK_THROWS_AS(loaded.input("absent", [&] { return t; }), dgm::Error);
    CHECK_THROWS_AS(ReferenceCase("missing"), dgm::Error);
  }

  if (old_write) ::setenv("DGM_WRITE_REFERENCES", saved_write.c_str(), 1);
  else ::unsetenv("DGM_WRITE_REFERENCES");
  ::unsetenv("DGM_COURSE_REFERENCE_DIR");
  fs::remove_all(dir);
}
