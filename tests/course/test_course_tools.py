"""Tests of the course's tools (course/*.py) on a small fixture tree with two
homeworks, built in a temporary folder (the real course/tasks.json has only
hw1). Run: python3 -m unittest discover -s tests/course -p "test_*.py"."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

COURSE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "course")

TASKS = {
    "homeworks": [
        {"id": "hw1", "title": "first", "readme": "course/hw1/README.md"},
        {"id": "hw2", "title": "second", "readme": "course/hw2/README.md"},
    ],
    "tasks": [
        {"id": "hw1.1", "homework": "hw1", "title": "square", "points": 1, "lecture": "lecture 1",
         "files": ["src/one.cpp"], "hint": "return x squared"},
        {"id": "hw1.2", "homework": "hw1", "title": "pair", "points": 1.5, "lecture": "seminar 1",
         "files": ["src/one.cpp"], "summary": "a pair of \"functions\"",
         "parts": {"first": "first of the pair", "second": "second of the pair"}},
        {"id": "hw2.1", "homework": "hw2", "title": "cube", "points": 2, "lecture": "lecture 2",
         "files": ["src/two.cpp"], "hint": "return x cubed"},
    ],
}

ONE = textwrap.dedent("""\
    int square(int x) {
      // BEGIN SOLUTION hw1.1
      const int squared_value_of_x = x * x;  // the square
      return squared_value_of_x;
      // END SOLUTION
    }
    int first(int x) {
      // BEGIN SOLUTION hw1.2/first
      return x + 1000 * first_offset_constant;
      // END SOLUTION
    }
    int second(int x) {
      // BEGIN SOLUTION hw1.2/second
      return x - 1000 * second_offset_constant;
      // END SOLUTION
    }
    """)
TWO = textwrap.dedent("""\
    int cube(int x) {
        // BEGIN SOLUTION hw2.1
        return x * x * x + zero_cubic_correction_term;
        // END SOLUTION
    }
    int given(int x) { return x; }
    """)
README = "# course\n\n<!-- BEGIN TASK TABLE all -->\n<!-- END TASK TABLE -->\n"
HW_README = "# {hw}\n\n<!-- BEGIN TASK TABLE {hw} -->\nstale\n<!-- END TASK TABLE -->\n\nmore text\n"


def run(tool, *args):
    res = subprocess.run([sys.executable, os.path.join(COURSE, tool), *args], capture_output=True, text=True)
    return res.returncode, res.stdout + res.stderr


class Fixture(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="dgm_course_tools_")
        self.src = os.path.join(self.tmp, "src_tree")
        self.write("course/tasks.json", json.dumps(TASKS, indent=2))
        self.write("src/one.cpp", ONE)
        self.write("src/two.cpp", TWO)
        self.write("course/README.md", README)
        for hw in ("hw1", "hw2"):
            self.write(f"course/{hw}/README.md", HW_README.format(hw=hw))
        rc, out = run("sync_readmes.py", "--source", self.src)
        self.assertEqual(rc, 0, out)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def write(self, rel, text):
        path = os.path.join(self.src, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)

    def read(self, root, rel):
        with open(os.path.join(root, rel), encoding="utf-8") as f:
            return f.read()

    def edit(self, rel, old, new):
        text = self.read(self.src, rel)
        self.assertIn(old, text)
        self.write(rel, text.replace(old, new, 1))

    def generate(self, *args):
        out = os.path.join(self.tmp, "student")
        rc, log = run("make_student_tree.py", out, "--source", self.src, "--no-git", "--force", *args)
        return rc, log, out

    def assert_error(self, tool, args, *expected):
        rc, out = run(tool, *args)
        self.assertEqual(rc, 1, out)
        for e in expected:
            self.assertIn(e, out)

    def assert_marker_error(self, *expected):
        self.assert_error("make_student_tree.py", ["--check", "--source", self.src, "--no-git"], *expected)


class StudentTree(Fixture):
    def test_every_homework_becomes_stubs_and_the_release_is_recorded(self):
        rc, log, out = self.generate("--homework", "hw1")
        self.assertEqual(rc, 0, log)
        one, two = self.read(out, "src/one.cpp"), self.read(out, "src/two.cpp")
        self.assertIn('  // TODO hw1.1: return x squared\n'
                      '  throw dgm::NotImplemented("hw1.1: return x squared");\n', one)
        self.assertIn('throw dgm::NotImplemented("hw1.2: first of the pair");', one)
        self.assertIn('throw dgm::NotImplemented("hw1.2: second of the pair");', one)
        # hw2 is not released, and its solution is stubbed all the same (at its own indentation)
        self.assertIn('    throw dgm::NotImplemented("hw2.1: return x cubed");\n', two)
        for text in (one, two):
            self.assertNotIn("SOLUTION", text)
            self.assertNotIn("_constant", text)
            self.assertNotIn("zero_cubic_correction_term", text)
        self.assertIn("int given(int x) { return x; }", two)
        release = json.loads(self.read(out, "course/released.json"))
        self.assertEqual((release["homeworks"], release["revealed"]), (["hw1"], []))
        rc, log = run("check_no_leak.py", "--source", self.src, "--no-git")
        self.assertEqual(rc, 0, log)
        self.assertIn("the student tree of hw1: no solution line", log)
        self.assertIn("the student tree of hw2: no solution line", log)

    def test_reveal_keeps_a_homework_and_the_leak_check_fails_on_it(self):
        rc, log, out = self.generate("--homework", "hw2", "--reveal", "hw1")
        self.assertEqual(rc, 0, log)
        one, two = self.read(out, "src/one.cpp"), self.read(out, "src/two.cpp")
        self.assertIn("  const int squared_value_of_x = x * x;  // the square\n", one)
        self.assertNotIn("SOLUTION", one)  # the revealed bodies lose their markers
        self.assertIn("throw dgm::NotImplemented(\"hw2.1", two)
        release = json.loads(self.read(out, "course/released.json"))
        self.assertEqual((release["homeworks"], release["revealed"]), (["hw2"], ["hw1"]))
        # the deliberate leak: the no-leak check on such a tree fails and names the lines
        rc, log = run("check_no_leak.py", "--source", self.src, "--no-git", "--tree", out)
        self.assertEqual(rc, 1, log)
        self.assertIn("src/one.cpp:2: const int squared_value_of_x = x * x; // the square  "
                      "(hw1.1 at src/one.cpp:3)", log)
        self.assertIn("(hw1.2/second at src/one.cpp:14)", log)
        self.assertNotIn("hw2.1 at", log)
        rc, log = run("check_no_leak.py", "--source", self.src, "--no-git", "--reveal", "hw2")
        self.assertEqual(rc, 1, log)
        self.assertIn("the student tree of hw1 (--reveal hw2) contains 1 solution line", log)

    def test_withheld_files_stay_out_until_their_homework_is_revealed(self):
        doc = json.loads(self.read(self.src, "course/tasks.json"))
        doc["homeworks"][1]["withheld"] = ["tools/hw2_twin.py"]
        self.write("course/tasks.json", json.dumps(doc, indent=2))
        self.write("tools/hw2_twin.py", "def cube(x):\n    return x * x * x\n")
        rc, log, out = self.generate("--homework", "hw1")
        self.assertEqual(rc, 0, log)
        self.assertFalse(os.path.exists(os.path.join(out, "tools/hw2_twin.py")))
        self.assertTrue(os.path.exists(os.path.join(out, "src/two.cpp")))
        rc, log, out = self.generate("--homework", "hw1", "--reveal", "hw2")
        self.assertEqual(rc, 0, log)
        self.assertTrue(os.path.exists(os.path.join(out, "tools/hw2_twin.py")))
        doc["homeworks"][1]["withheld"] = ["tools/none.py"]
        self.write("course/tasks.json", json.dumps(doc, indent=2))
        rc, log, _ = self.generate("--homework", "hw1")
        self.assertEqual(rc, 1, log)
        self.assertIn("homework hw2: withheld file tools/none.py is not in the tree", log)

    def test_a_solution_line_pasted_into_a_doc_is_a_leak(self):
        self.write("docs/notes.md", "| cube | `return x * x * x + zero_cubic_correction_term;` |\n")
        rc, log = run("check_no_leak.py", "--source", self.src, "--no-git", "--homework", "hw1")
        self.assertEqual(rc, 1, log)
        self.assertIn("docs/notes.md:1: return x * x * x + zero_cubic_correction_term;  (hw2.1 at src/two.cpp:3)", log)

    def test_short_lines_and_given_code_are_not_solution_lines(self):
        self.write("src/three.cpp", "int f(int x) {\n  return x - 1000 * second_offset_constant;\n}\n")
        rc, log = run("check_no_leak.py", "--source", self.src, "--no-git", "--verbose")
        self.assertEqual(rc, 0, log)
        self.assertIn("shared with given code, not checked: return x - 1000 * second_offset_constant;", log)
        self.assertIn("4 solution lines of 3 tasks (1 shared", log)  # 'return squared_value_of_x;' is 26 chars

    def test_unknown_homeworks_and_a_released_json_in_the_source(self):
        rc, log, _ = self.generate("--homework", "hw3")
        self.assertEqual(rc, 1, log)
        self.assertIn("--homework: unknown homework 'hw3' (homeworks in course/tasks.json: hw1, hw2)", log)
        rc, log, _ = self.generate("--homework", "hw1", "--reveal", "hw9")
        self.assertIn("--reveal: unknown homework 'hw9'", log)
        rc, log, _ = self.generate()
        self.assertIn("--homework: name the homework(s) to release", log)
        self.write("course/released.json", "{}")
        rc, log, _ = self.generate("--homework", "hw1")
        self.assertEqual(rc, 1, log)
        self.assertIn("course/released.json: exists in the source tree", log)


class Markers(Fixture):
    def test_the_fixture_is_valid(self):
        rc, out = run("make_student_tree.py", "--check", "--source", self.src, "--no-git")
        self.assertEqual(rc, 0, out)
        self.assertIn("4 solution(s)", out)

    def test_unknown_task_id(self):
        self.edit("src/two.cpp", "SOLUTION hw2.1", "SOLUTION hw2.7")
        self.assert_marker_error("src/two.cpp:2: unknown task id 'hw2.7' (not in course/tasks.json")

    def test_text_after_the_id(self):
        self.edit("src/two.cpp", "SOLUTION hw2.1", "SOLUTION hw2.1 cube it")
        self.assert_marker_error("src/two.cpp:2: text after 'hw2.1': the marker carries only the id")

    def test_unused_task_and_unused_part(self):
        self.edit("src/two.cpp", "// BEGIN SOLUTION hw2.1\n", "")
        self.edit("src/two.cpp", "// END SOLUTION\n", "")
        self.assert_marker_error("course/tasks.json: task hw2.1: 'hw2.1' is not used by any marker")
        self.setUp()
        self.edit("src/one.cpp", "hw1.2/second", "hw1.2/first")
        self.assert_marker_error("src/one.cpp:13: hw1.2/first is marked a second time (first at src/one.cpp:8)")
        self.setUp()
        self.edit("src/one.cpp", "  // BEGIN SOLUTION hw1.2/second\n", "")
        self.edit("src/one.cpp", "second_offset_constant;\n  // END SOLUTION\n", "second_offset_constant;\n")
        self.assert_marker_error("course/tasks.json: task hw1.2: 'hw1.2/second' is not used by any marker")

    def test_parts(self):
        self.edit("src/one.cpp", "hw1.2/first", "hw1.2")
        self.assert_marker_error("src/one.cpp:8: task hw1.2 has parts (first, second); name one")
        self.setUp()
        self.edit("src/one.cpp", "hw1.2/first", "hw1.2/third")
        self.assert_marker_error("src/one.cpp:8: task hw1.2 has no part 'third' (its parts: first, second)")
        self.setUp()
        self.edit("src/one.cpp", "SOLUTION hw1.1", "SOLUTION hw1.1/main")
        self.assert_marker_error("src/one.cpp:2: task hw1.1 has no parts in course/tasks.json")

    def test_a_marker_in_a_file_the_task_does_not_list(self):
        self.write("src/extra.cpp", "void g() {\n  // BEGIN SOLUTION hw1.1\n  return;\n  // END SOLUTION\n}\n")
        self.edit("src/one.cpp", "  // BEGIN SOLUTION hw1.1\n", "")
        self.edit("src/one.cpp", "squared_value_of_x;\n  // END SOLUTION\n", "squared_value_of_x;\n")
        self.assert_marker_error("src/extra.cpp:2: hw1.1 is marked in src/extra.cpp, "
                                 "which is not in the task's 'files'")

    def test_nesting_and_unbalanced_markers(self):
        self.edit("src/one.cpp", "  return x + 1000", "  // BEGIN SOLUTION hw1.1\n  return x + 1000")
        self.assert_marker_error("src/one.cpp:9: BEGIN SOLUTION inside the solution opened at src/one.cpp:8")
        self.setUp()
        self.edit("src/two.cpp", "    // END SOLUTION\n", "")
        self.assert_marker_error("src/two.cpp:2: BEGIN SOLUTION hw2.1 is never closed")
        self.setUp()
        self.edit("src/two.cpp", "int given", "// END SOLUTION\nint given")
        self.assert_marker_error("src/two.cpp:6: END SOLUTION without a BEGIN SOLUTION")
        self.setUp()
        self.edit("src/two.cpp", "// END SOLUTION", "// END SOLUTION hw2.1")
        self.assert_marker_error("src/two.cpp:4: unexpected text after // END SOLUTION")

    def test_tasks_json_schema(self):
        def with_task(change, *expected):
            doc = json.loads(json.dumps(TASKS))
            change(doc["tasks"][0])
            self.write("course/tasks.json", json.dumps(doc))
            self.assert_marker_error(*expected)
        with_task(lambda t: t.update(parts={"a": "x", "b": "y"}),
                  "course/tasks.json: task hw1.1: give exactly one of 'hint' (one marked body) and 'parts'")
        with_task(lambda t: t.update(homework="hw2"), "task hw1.1: 'homework' is 'hw2' but the id says hw1")
        with_task(lambda t: t.update(points=0), "task hw1.1: 'points' must be a positive number")
        with_task(lambda t: t.update(hints="x"), "task hw1.1: unknown key(s) ['hints']")
        with_task(lambda t: t.update(hint="two\nlines"), "task hw1.1: 'hint' must be a non-empty one-line string")
        with_task(lambda t: t.update(id="hw1.2"), "task hw1.2: listed twice")
        with_task(lambda t: t.update(files=["src/none.cpp", "src/one.cpp"]),
                  "course/tasks.json: task hw1.1: file src/none.cpp does not exist")
        self.write("course/tasks.json", "{\"tasks\": [")
        self.assert_marker_error("course/tasks.json:1: not valid JSON")


class Readmes(Fixture):
    def test_tables_are_generated_and_checked(self):
        hw2 = self.read(self.src, "course/hw2/README.md")
        self.assertIn("| hw2.1 | 2 | cube | `src/two.cpp` | lecture 2 |", hw2)
        self.assertNotIn("hw1.1", hw2)
        self.assertIn("more text", hw2)
        self.assertIn('| hw1.2 | 1.5 | a pair of "functions" |', self.read(self.src, "course/hw1/README.md"))
        course = self.read(self.src, "course/README.md")
        self.assertIn("| hw1.2 | 1.5 | pair | `src/one.cpp` | seminar 1 |", course)
        self.assertIn("hw2 (second, `course/hw2/README.md`): 1 tasks, 2 points of code.", course)
        rc, out = run("sync_readmes.py", "--source", self.src, "--check")
        self.assertEqual(rc, 0, out)
        doc = json.loads(json.dumps(TASKS))
        doc["tasks"][2]["points"] = 3
        self.write("course/tasks.json", json.dumps(doc))
        self.assert_error("sync_readmes.py", ["--source", self.src, "--check"],
                          "course/README.md: the task table is out of date", "course/hw2/README.md: the task table")
        rc, out = run("sync_readmes.py", "--source", self.src)
        self.assertEqual(rc, 0, out)
        self.assertIn("| hw2.1 | 3 |", self.read(self.src, "course/hw2/README.md"))

    def test_missing_or_wrong_table_markers(self):
        self.write("course/hw2/README.md", "# hw2\n")
        self.assert_error("sync_readmes.py", ["--source", self.src, "--check"],
                          "course/hw2/README.md: expected one <!-- BEGIN TASK TABLE hw2 -->")
        self.write("course/hw2/README.md", "<!-- BEGIN TASK TABLE hw1 -->\n<!-- END TASK TABLE -->\n")
        self.assert_error("sync_readmes.py", ["--source", self.src, "--check"],
                          "course/hw2/README.md:1: a task table of 'hw1' here")
        self.write("course/hw2/README.md", "<!-- BEGIN TASK TABLE hw2 -->\n")
        self.assert_error("sync_readmes.py", ["--source", self.src, "--check"], "is never closed")


if __name__ == "__main__":
    unittest.main()
