"""The course's tasks (course/tasks.json) and the solution markers that name them.

Shared by make_student_tree.py, sync_readmes.py and check_no_leak.py
(python3, standard library only). See course/README.md for the format.

tasks.json:

    {"homeworks": [{"id": "hw1", "title": "...", "readme": "course/hw1/README.md"}],
     "tasks": [{"id": "hw1.4", "homework": "hw1", "title": "...", "points": 1,
                "lecture": "...", "files": ["models/ar/imagegpt.cpp"],
                "summary": "...", "hint": "..."},
               {"id": "hw1.6", ..., "parts": {"sos": "...", "loss": "..."}}]}

A task has either "hint" (one marked body: // BEGIN SOLUTION hw1.4) or
"parts" (one marked body per part: // BEGIN SOLUTION hw1.6/sos), never both.
"""
import json
import os
import re

TASKS_JSON = os.path.join("course", "tasks.json")
RELEASED_JSON = os.path.join("course", "released.json")
SOURCE_SUFFIXES = (".cpp", ".h", ".hpp", ".cc", ".cu", ".cuh", ".inl")
BEGIN = "// BEGIN SOLUTION"
END = "// END SOLUTION"
HOMEWORK_RE = re.compile(r"^hw[0-9]+$")
TASK_ID_RE = re.compile(r"^(hw[0-9]+)\.[0-9]+$")
PART_RE = re.compile(r"^[a-z][a-z0-9_]*$")
MARKER_ID_RE = re.compile(r"^(hw[0-9]+\.[0-9]+)(?:/([a-z][a-z0-9_]*))?$")
LOOSE_MARKER_RE = re.compile(r"^//\s*(BEGIN|END)\s+SOLUTION")

TASK_KEYS = {"id", "homework", "title", "points", "lecture", "files", "summary", "hint", "parts"}
HOMEWORK_KEYS = {"id", "title", "readme"}
HOMEWORK_OPTIONAL_KEYS = {"withheld"}


class CourseError(Exception):
    """A wrong tasks.json, marker or README; the message names the file (and line or task id)."""


class Task:
    def __init__(self, d):
        self.id = d["id"]
        self.homework = d["homework"]
        self.title = d["title"]
        self.points = d["points"]
        self.lecture = d["lecture"]
        self.files = list(d["files"])
        self.summary = d.get("summary", d["title"])
        self.hint = d.get("hint")
        self.parts = dict(d["parts"]) if "parts" in d else None

    def marker_ids(self):
        """The ids its markers must use: ["hw1.4"] or ["hw1.6/sos", ...]."""
        if self.parts is None:
            return [self.id]
        return [f"{self.id}/{p}" for p in self.parts]

    def hint_of(self, part):
        return self.hint if part is None else self.parts[part]


class Course:
    def __init__(self, path, homeworks, tasks):
        self.path = path          # as given (for messages)
        self.homeworks = homeworks  # [{"id", "title", "readme"}] in file order
        self.tasks = tasks          # [Task] in file order
        self.by_id = {t.id: t for t in tasks}

    def homework_ids(self):
        return [h["id"] for h in self.homeworks]

    def tasks_of(self, homework):
        return [t for t in self.tasks if t.homework == homework]


def _single_line(value):
    return isinstance(value, str) and value.strip() != "" and not any(c in value for c in "\n\r\t\0")


def parse_tasks(text, where=TASKS_JSON):
    """The Course in tasks.json's text; CourseError naming `where` (and the task id) otherwise."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise CourseError(f"{where}:{e.lineno}: not valid JSON: {e.msg}") from None
    if not isinstance(doc, dict) or set(doc) != {"homeworks", "tasks"}:
        raise CourseError(f"{where}: expected an object with exactly the keys 'homeworks' and 'tasks'")
    if not isinstance(doc["homeworks"], list) or not isinstance(doc["tasks"], list):
        raise CourseError(f"{where}: 'homeworks' and 'tasks' must be lists")

    homeworks = []
    for h in doc["homeworks"]:
        hid = h.get("id") if isinstance(h, dict) else None
        if not isinstance(hid, str) or not HOMEWORK_RE.match(hid):
            raise CourseError(f"{where}: homework {h!r}: 'id' must be hw<N>, e.g. hw1")
        if not HOMEWORK_KEYS <= set(h) <= HOMEWORK_KEYS | HOMEWORK_OPTIONAL_KEYS:
            raise CourseError(f"{where}: homework {hid}: expected the keys {sorted(HOMEWORK_KEYS)} "
                              f"(and optionally {sorted(HOMEWORK_OPTIONAL_KEYS)}), got {sorted(h)}")
        withheld = h.get("withheld", [])
        if not isinstance(withheld, list) or not all(_single_line(f) for f in withheld):
            raise CourseError(f"{where}: homework {hid}: 'withheld' must be a list of paths")
        for f in withheld:
            if os.path.isabs(f) or ".." in f.split("/") or "\\" in f:
                raise CourseError(f"{where}: homework {hid}: withheld file {f!r} must be a relative path inside "
                                  "the tree, with '/'")
        if not _single_line(h["title"]) or not _single_line(h["readme"]):
            raise CourseError(f"{where}: homework {hid}: 'title' and 'readme' must be non-empty one-line strings")
        if any(x["id"] == hid for x in homeworks):
            raise CourseError(f"{where}: homework {hid} is listed twice")
        homeworks.append(h)
    known_homeworks = {h["id"] for h in homeworks}

    tasks = []
    seen = set()
    for d in doc["tasks"]:
        tid = d.get("id") if isinstance(d, dict) else None
        if not isinstance(tid, str) or not TASK_ID_RE.match(tid):
            raise CourseError(f"{where}: task {tid if isinstance(tid, str) else d!r}: "
                              "'id' must be hw<N>.<k>, e.g. hw1.4")
        err = f"{where}: task {tid}"
        extra = set(d) - TASK_KEYS
        if extra:
            raise CourseError(f"{err}: unknown key(s) {sorted(extra)} (allowed: {sorted(TASK_KEYS)})")
        missing = {"homework", "title", "points", "lecture", "files"} - set(d)
        if missing:
            raise CourseError(f"{err}: missing key(s) {sorted(missing)}")
        if tid in seen:
            raise CourseError(f"{err}: listed twice")
        seen.add(tid)
        if d["homework"] != TASK_ID_RE.match(tid).group(1):
            raise CourseError(f"{err}: 'homework' is {d['homework']!r} "
                              f"but the id says {TASK_ID_RE.match(tid).group(1)}")
        if d["homework"] not in known_homeworks:
            raise CourseError(f"{err}: homework {d['homework']} is not in 'homeworks'")
        for key in ("title", "lecture") + (("summary",) if "summary" in d else ()):
            if not _single_line(d[key]):
                raise CourseError(f"{err}: '{key}' must be a non-empty one-line string")
        if isinstance(d["points"], bool) or not isinstance(d["points"], (int, float)) or d["points"] <= 0:
            raise CourseError(f"{err}: 'points' must be a positive number")
        files = d["files"]
        if not isinstance(files, list) or not files or not all(_single_line(f) for f in files):
            raise CourseError(f"{err}: 'files' must be a non-empty list of paths")
        for f in files:
            if os.path.isabs(f) or ".." in f.split("/") or "\\" in f:
                raise CourseError(f"{err}: file {f!r} must be a relative path inside the tree, with '/'")
        if ("hint" in d) == ("parts" in d):
            raise CourseError(f"{err}: give exactly one of 'hint' (one marked body) and 'parts' (several)")
        if "hint" in d and not _single_line(d["hint"]):
            raise CourseError(f"{err}: 'hint' must be a non-empty one-line string (it becomes a // TODO line)")
        if "parts" in d:
            parts = d["parts"]
            if not isinstance(parts, dict) or len(parts) < 2:
                raise CourseError(f"{err}: 'parts' must map at least two part names to hints (one body: use 'hint')")
            for name, hint in parts.items():
                if not PART_RE.match(name):
                    raise CourseError(f"{err}: part name {name!r} must match [a-z][a-z0-9_]*")
                if not _single_line(hint):
                    raise CourseError(f"{err}: part {name}: the hint must be a non-empty one-line string")
        tasks.append(Task(d))
    for hid in known_homeworks:
        if not any(t.homework == hid for t in tasks):
            raise CourseError(f"{where}: homework {hid} has no tasks")
    return Course(where, homeworks, tasks)


def load_tasks(source):
    """The Course of the tree at `source` (its course/tasks.json)."""
    path = os.path.join(source, TASKS_JSON)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise CourseError(f"{path}: cannot read the course's task list ({e.strerror})") from None
    return parse_tasks(text, TASKS_JSON)


class Region:
    """One marked solution body of a file."""

    def __init__(self, rel, begin, end, marker, task, part, indent, body, eol):
        self.rel, self.begin, self.end = rel, begin, end  # BEGIN and END line numbers (1-based)
        self.marker, self.task, self.part = marker, task, part  # "hw1.6/sos", Task, "sos"
        self.indent, self.body, self.eol = indent, body, eol  # body: the lines between, with their ends

    def stub(self):
        hint = self.task.hint_of(self.part)
        c_hint = hint.replace("\\", "\\\\").replace('"', '\\"')
        return [f"{self.indent}// TODO {self.task.id}: {hint}{self.eol}",
                f'{self.indent}throw dgm::NotImplemented("{self.task.id}: {c_hint}");{self.eol}']


def parse_markers(text, rel, course):
    """Splits a file into plain lines (str) and Regions; CourseError naming rel:line."""
    items = []
    open_ = None  # [line no, indent, marker, task, part, body]
    for no, line in enumerate(text.splitlines(keepends=True), start=1):
        stripped = line.strip()
        where = f"{rel}:{no}"
        if stripped.startswith(BEGIN):
            if open_ is not None:
                raise CourseError(f"{where}: BEGIN SOLUTION inside the solution opened at {rel}:{open_[0]} "
                                  "(markers do not nest; close it with // END SOLUTION first)")
            words = stripped[len(BEGIN):].split()
            if not words:
                raise CourseError(f"{where}: BEGIN SOLUTION without a task id (expected // BEGIN SOLUTION hw1.4)")
            m = MARKER_ID_RE.match(words[0])
            if not m:
                raise CourseError(f"{where}: malformed task id '{words[0]}' (expected hw<N>.<k> or hw<N>.<k>/<part>)")
            if len(words) > 1:
                raise CourseError(f"{where}: text after '{words[0]}': the marker carries only the id; the hint the "
                                  f"student sees is in {course.path}")
            tid, part = m.group(1), m.group(2)
            task = course.by_id.get(tid)
            if task is None:
                raise CourseError(f"{where}: unknown task id '{tid}' (not in {course.path}; known: "
                                  f"{', '.join(t.id for t in course.tasks)})")
            if task.parts is not None and part is None:
                raise CourseError(f"{where}: task {tid} has parts ({', '.join(task.parts)}); name one, "
                                  f"e.g. // BEGIN SOLUTION {tid}/{next(iter(task.parts))}")
            if task.parts is None and part is not None:
                raise CourseError(f"{where}: task {tid} has no parts in {course.path}; write // BEGIN SOLUTION {tid}")
            if part is not None and part not in task.parts:
                raise CourseError(f"{where}: task {tid} has no part '{part}' (its parts: {', '.join(task.parts)})")
            open_ = [no, line[:len(line) - len(line.lstrip())], words[0], task, part, []]
            continue
        if stripped.startswith(END):
            if stripped != END:
                raise CourseError(f"{where}: unexpected text after // END SOLUTION")
            if open_ is None:
                raise CourseError(f"{where}: END SOLUTION without a BEGIN SOLUTION")
            eol = "\r\n" if line.endswith("\r\n") else "\n"
            items.append(Region(rel, open_[0], no, open_[2], open_[3], open_[4], open_[1], open_[5], eol))
            open_ = None
            continue
        if LOOSE_MARKER_RE.match(stripped):
            raise CourseError(f"{where}: malformed marker (write exactly '{BEGIN} hwN.k[/part]' or '{END}')")
        if open_ is not None:
            open_[5].append(line)
        else:
            items.append(line)
    if open_ is not None:
        raise CourseError(f"{rel}:{open_[0]}: BEGIN SOLUTION {open_[2]} is never closed (missing // END SOLUTION)")
    return items


def scan_tree(source, files, course):
    """{rel: items} for the files with markers, after checking the markers against
    the task list: every marker names a task (and part) of tasks.json, each body is
    marked once, in a file the task lists, and every task and part is used."""
    parsed = {}
    first = {}  # marker id -> "file:line"
    for rel in files:
        full = os.path.join(source, rel)
        if not rel.endswith(SOURCE_SUFFIXES) or os.path.islink(full):
            continue
        try:
            with open(full, encoding="utf-8", newline="") as f:
                text = f.read()
        except UnicodeDecodeError as e:
            raise CourseError(f"{rel}: not UTF-8 ({e.reason})") from None
        if "SOLUTION" not in text:
            continue
        items = parse_markers(text, rel, course)
        regions = [r for r in items if isinstance(r, Region)]
        if not regions:
            continue
        for r in regions:
            where = f"{rel}:{r.begin}"
            if r.marker in first:
                raise CourseError(f"{where}: {r.marker} is marked a second time (first at {first[r.marker]}); "
                                  "a task with several bodies needs one named part per body in "
                                  f"{course.path}")
            first[r.marker] = where
            if rel.replace(os.sep, "/") not in r.task.files:
                raise CourseError(f"{where}: {r.marker} is marked in {rel}, which is not in the task's 'files' "
                                  f"in {course.path} ({', '.join(r.task.files)})")
        parsed[rel] = items
    for t in course.tasks:
        for mid in t.marker_ids():
            if mid not in first:
                raise CourseError(f"{course.path}: task {t.id}: '{mid}' is not used by any marker "
                                  f"(expected a // BEGIN SOLUTION {mid} in {', '.join(t.files)})")
        for f in t.files:
            if not os.path.isfile(os.path.join(source, f)):
                raise CourseError(f"{course.path}: task {t.id}: file {f} does not exist")
    return parsed


def render(items, stub_homeworks):
    """The file's text with the bodies of the tasks of `stub_homeworks` replaced by
    their stubs and the other bodies kept (their marker lines dropped).
    Returns (text, [marker ids replaced])."""
    out, replaced = [], []
    for it in items:
        if not isinstance(it, Region):
            out.append(it)
        elif it.task.homework in stub_homeworks:
            out.extend(it.stub())
            replaced.append(it.marker)
        else:
            out.extend(it.body)
    return "".join(out), replaced


def main(argv):
    """python3 course/course_tasks.py ids [hwN] | homeworks: one per line (for scripts/test-course)."""
    import sys
    source = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        course = load_tasks(source)
        if argv[:1] == ["homeworks"] and len(argv) == 1:
            print("\n".join(course.homework_ids()))
            return 0
        if argv[:1] == ["ids"] and len(argv) <= 2:
            if len(argv) == 2 and argv[1] not in course.homework_ids():
                raise CourseError(f"{course.path}: no homework '{argv[1]}' (homeworks: "
                                  f"{', '.join(course.homework_ids())})")
            print("\n".join(t.id for t in course.tasks if len(argv) == 1 or t.homework == argv[1]))
            return 0
    except CourseError as e:
        print(f"course_tasks: error: {e}", file=sys.stderr)
        return 1
    print("usage: course/course_tasks.py ids [hwN] | homeworks", file=sys.stderr)
    return 2


if __name__ == "__main__":
    import sys
    sys.exit(main(sys.argv[1:]))
