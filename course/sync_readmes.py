#!/usr/bin/env python3
"""Write the task tables of the course's READMEs from course/tasks.json.

A table lives between two marker lines, which this script keeps:

    <!-- BEGIN TASK TABLE hw1 -->      (a homework's tasks; in that homework's README)
    ...generated...
    <!-- END TASK TABLE -->

course/README.md holds the table of every task (<!-- BEGIN TASK TABLE all -->)
and each homework's "readme" (tasks.json) the table of its tasks.

Usage:
    course/sync_readmes.py            rewrite the tables that are out of date
    course/sync_readmes.py --check    only report them; exit 1 if any is (CI)
Standard library only.
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from course_tasks import CourseError, load_tasks  # noqa: E402

COURSE_README = "course/README.md"
BEGIN_RE = re.compile(r"^<!-- BEGIN TASK TABLE (\S+) -->$")
END_LINE = "<!-- END TASK TABLE -->"


def fmt_points(p):
    return str(int(p)) if float(p).is_integer() else str(p)


def where(task):
    return ", ".join(f"`{f}`" for f in task.files)


def table(course, scope):
    if scope == "all":
        rows = ["| task | points | title | where | course |", "|---|---|---|---|---|"]
        for h in course.homeworks:
            for t in course.tasks_of(h["id"]):
                rows.append(f"| {t.id} | {fmt_points(t.points)} | {t.title} | {where(t)} | {t.lecture} |")
        rows.append("")
        for h in course.homeworks:
            ts = course.tasks_of(h["id"])
            total = sum(t.points for t in ts)
            rows.append(f"{h['id']} ({h['title']}, `{h['readme']}`): {len(ts)} tasks, "
                        f"{fmt_points(total)} points of code.")
        return rows
    rows = ["| task | points | what | where | course |", "|---|---|---|---|---|"]
    for t in course.tasks_of(scope):
        rows.append(f"| {t.id} | {fmt_points(t.points)} | {t.summary} | {where(t)} | {t.lecture} |")
    return rows


def synced(text, rel, course, expected_scope):
    """The text with its tables regenerated; CourseError naming rel:line on bad markers."""
    lines = text.split("\n")
    out, found, i = [], 0, 0
    while i < len(lines):
        line = lines[i]
        m = BEGIN_RE.match(line.strip())
        if line.strip() == END_LINE:
            raise CourseError(f"{rel}:{i + 1}: {END_LINE} without a BEGIN TASK TABLE")
        if not m:
            out.append(line)
            i += 1
            continue
        scope = m.group(1)
        if scope != expected_scope:
            raise CourseError(f"{rel}:{i + 1}: a task table of '{scope}' here; this file holds the table of "
                              f"'{expected_scope}'")
        j = i + 1
        while j < len(lines) and lines[j].strip() != END_LINE:
            if BEGIN_RE.match(lines[j].strip()):
                raise CourseError(f"{rel}:{j + 1}: BEGIN TASK TABLE inside the table opened at {rel}:{i + 1}")
            j += 1
        if j == len(lines):
            raise CourseError(f"{rel}:{i + 1}: BEGIN TASK TABLE {scope} is never closed ({END_LINE})")
        out.append(line)
        out.extend(table(course, scope))
        out.append(lines[j])
        found += 1
        i = j + 1
    if found != 1:
        raise CourseError(f"{rel}: expected one <!-- BEGIN TASK TABLE {expected_scope} --> ... {END_LINE}, "
                          f"found {found}")
    return "\n".join(out)


def readmes(course):
    """[(rel, scope)]: the course README and each homework's."""
    return [(COURSE_README, "all")] + [(h["readme"], h["id"]) for h in course.homeworks]


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="Write the READMEs' task tables from course/tasks.json.")
    ap.add_argument("--source", default=os.path.dirname(here), help="the tree (default: this repository)")
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 if a table is out of date")
    args = ap.parse_args(argv)
    try:
        course = load_tasks(args.source)
        stale = []
        for rel, scope in readmes(course):
            path = os.path.join(args.source, rel)
            try:
                with open(path, encoding="utf-8", newline="") as f:
                    text = f.read()
            except OSError as e:
                raise CourseError(f"{rel}: cannot read it ({e.strerror}); {course.path} names it") from None
            new = synced(text, rel, course, scope)
            if new != text:
                stale.append(rel)
                if not args.check:
                    with open(path, "w", encoding="utf-8", newline="") as f:
                        f.write(new)
    except CourseError as e:
        print(f"sync_readmes: error: {e}", file=sys.stderr)
        return 1
    if args.check and stale:
        for rel in stale:
            print(f"sync_readmes: error: {rel}: the task table is out of date with course/tasks.json; "
                  "run course/sync_readmes.py", file=sys.stderr)
        return 1
    verb = "rewrote" if stale else "up to date:"
    print(f"sync_readmes: {verb} {', '.join(stale) or ', '.join(r for r, _ in readmes(course))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
