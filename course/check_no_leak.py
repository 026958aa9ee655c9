#!/usr/bin/env python3
"""Check that no student tree leaks a solution.

For every homework of course/tasks.json this generates the student tree
(make_student_tree.py OUT --homework hwN) into a temporary folder and fails if
a solution line of any task, of any homework, occurs in any file of it.

A solution line is a line of a marked body (// BEGIN SOLUTION ... // END
SOLUTION), whitespace collapsed, that
  * has at least MIN_CHARS (24) characters: shorter lines are closing braces,
    idioms and fragments of wrapped statements (`}`, `return x;`,
    `NoGradGuard no_grad;`, `layers.push_back(`), which occur all over the tree
    and in the hints and say nothing of a solution; every solution line of 24
    characters or more spells out the task's own computation;
  * does not also occur in the tree's C++ code outside the marked bodies
    (given code the solution shares, e.g. the raster loops of
    PixelCNN::sample, which the student sees anyway). Such lines are listed
    with --verbose. (So a solution copied by hand into another C++ file of the
    solution tree, outside markers, counts as given code: this check guards the
    generator and every non-code file; review guards such copies.)
A line "occurs" in a file when it is a substring of one of the file's lines
(whitespace collapsed the same way), so a line pasted into a longer one, a
Markdown table or a hint counts too. Every file is searched (code, docs, JSON,
scripts); files that are not UTF-8 text are skipped.

Usage:
    course/check_no_leak.py                    every homework of tasks.json
    course/check_no_leak.py --homework hw1     only that one
    course/check_no_leak.py --reveal hw1       generate with --reveal hw1: a deliberate leak, must fail
    course/check_no_leak.py --tree DIR         check an existing tree instead of generating one
Exit 0: no leak; 1: a leak (each reported as file:line: task, and where the
line comes from) or an error. Standard library only.
"""
import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from course_tasks import SOURCE_SUFFIXES, CourseError, Region, load_tasks, scan_tree  # noqa: E402
from make_student_tree import list_files, plan_tree, write_tree  # noqa: E402

MIN_CHARS = 24


def normalize(line):
    return " ".join(line.split())


def solution_lines(source, use_git=True):
    """({normalized line: "hw1.4 at models/x.cpp:17"}, [shared lines skipped])."""
    course = load_tasks(source)
    files = list_files(source, use_git=use_git)
    parsed = scan_tree(source, files, course)
    secret, public = {}, []
    for rel, items in parsed.items():
        for it in items:
            if isinstance(it, Region):
                for k, line in enumerate(it.body):
                    n = normalize(line)
                    if len(n) >= MIN_CHARS:
                        secret.setdefault(n, f"{it.marker} at {rel}:{it.begin + 1 + k}")
    for rel in files:
        full = os.path.join(source, rel)
        if not rel.endswith(SOURCE_SUFFIXES) or os.path.islink(full):
            continue
        if rel in parsed:
            lines = [it for it in parsed[rel] if not isinstance(it, Region)]
        else:
            with open(full, encoding="utf-8", errors="replace") as f:
                lines = f.read().splitlines()
        public.extend(normalize(x) for x in lines)
    public_text = "\n".join(public)
    shared = sorted(n for n in secret if n in public_text)
    for n in shared:
        del secret[n]
    return course, secret, shared


def find_leaks(tree, secret):
    """["file:line: <line> (hw1.4 at models/x.cpp:17)"] for every solution line found in tree."""
    leaks = []
    for root, dirs, names in os.walk(tree):
        dirs.sort()
        for name in sorted(names):
            full = os.path.join(root, name)
            if os.path.islink(full) or not os.path.isfile(full):
                continue
            try:
                with open(full, encoding="utf-8") as f:
                    lines = [normalize(x) for x in f.read().splitlines()]
            except (UnicodeDecodeError, OSError):
                continue  # binary: the reference outputs (.safetensors)
            text = "\n".join(lines)
            for sol, origin in secret.items():
                if sol in text:
                    no = next(i for i, x in enumerate(lines, start=1) if sol in x)
                    leaks.append(f"{os.path.relpath(full, tree)}:{no}: {sol}  ({origin})")
    return leaks


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="Fail if a generated student tree contains a solution line.")
    ap.add_argument("--source", default=os.path.dirname(here), help="the solution tree (default: this repository)")
    ap.add_argument("--homework", help="check only this homework's tree (default: every homework of tasks.json)")
    ap.add_argument("--reveal", help="generate with --reveal (a deliberate leak, to see the check fail)")
    ap.add_argument("--tree", help="check this existing tree instead of generating one")
    ap.add_argument("--no-git", action="store_true", help="walk the source folder instead of asking git")
    ap.add_argument("--verbose", action="store_true", help="also list the lines skipped as shared with given code")
    args = ap.parse_args(argv)
    source = os.path.abspath(args.source)
    try:
        course, secret, shared = solution_lines(source, use_git=not args.no_git)
        if args.verbose:
            for n in shared:
                print(f"check_no_leak: shared with given code, not checked: {n}")
        print(f"check_no_leak: {len(secret)} solution lines of {len(course.tasks)} tasks "
              f"({len(shared)} shared with given code, lines under {MIN_CHARS} characters skipped)")
        if args.tree:
            trees = [(args.tree, os.path.abspath(args.tree))]
            leaks = {args.tree: find_leaks(trees[0][1], secret)}
        else:
            homeworks = [args.homework] if args.homework else course.homework_ids()
            leaks = {}
            with tempfile.TemporaryDirectory(prefix="dgm_no_leak_") as tmp:
                for hw in homeworks:
                    out = os.path.join(tmp, hw)
                    plans = plan_tree(source, out, hw, args.reveal, use_git=not args.no_git)
                    write_tree(source, out, plans)
                    label = f"the student tree of {hw}" + (f" (--reveal {args.reveal})" if args.reveal else "")
                    leaks[label] = find_leaks(out, secret)
    except CourseError as e:
        print(f"check_no_leak: error: {e}", file=sys.stderr)
        return 1
    bad = 0
    for label, found in leaks.items():
        if found:
            bad += 1
            print(f"check_no_leak: FAIL: {label} contains {len(found)} solution line(s):", file=sys.stderr)
            for leak in found:
                print(f"  {leak}", file=sys.stderr)
        else:
            print(f"check_no_leak: {label}: no solution line")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
