#!/usr/bin/env python3
"""Generate the student tree of a homework.

Copies the repository's source tree into OUT and replaces the body of every
marked reference solution of every homework

    // BEGIN SOLUTION hw1.4
    ...reference code...
    // END SOLUTION

with the stub of its task (course/tasks.json), at the indentation of the BEGIN line:

    // TODO hw1.4: <the task's hint>
    throw dgm::NotImplemented("hw1.4: <the task's hint>");

except the homeworks named in --reveal, whose bodies stay (their marker lines go).
The tree gets course/released.json naming the homework(s) it releases, so that
the grading table reports the tasks of the other homeworks as "not released".

Usage:
    course/make_student_tree.py OUT --homework hw1 [--reveal hw1,hw2] [--source DIR] [--force] [--no-git]
    course/make_student_tree.py --check [--source DIR]

--check validates tasks.json and every marker without writing (course/README.md
lists the errors). Standard library only.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from course_tasks import (RELEASED_JSON, TASKS_JSON, CourseError, load_tasks, render,  # noqa: E402
                          scan_tree)

SKIP_DIRS_EXACT = {".git", "data", "runs", "__pycache__"}


def list_files(source, output=None, use_git=True):
    """Relative paths of the tree's files: git's tracked and untracked-but-not-ignored
    files in a git checkout, else a walk that skips build*/, data/, runs/ and .git."""
    out_abs = os.path.abspath(output) if output else None
    files = None
    if use_git and os.path.exists(os.path.join(source, ".git")):
        try:
            res = subprocess.run(
                ["git", "-C", source, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                check=True, capture_output=True)
            files = sorted(set(p for p in res.stdout.decode("utf-8").split("\0") if p))
        except (OSError, subprocess.CalledProcessError) as e:
            print(f"make_student_tree: git ls-files failed ({e}); walking the tree instead", file=sys.stderr)
    if files is None:
        files = []
        for root, dirs, names in os.walk(source):
            rel_root = os.path.relpath(root, source)
            keep = []
            for d in sorted(dirs):
                full = os.path.abspath(os.path.join(root, d))
                if rel_root == "." and (d.startswith("build") or d.startswith(".") or d in SKIP_DIRS_EXACT):
                    continue
                if d in (".git", "__pycache__") or full == out_abs:
                    continue
                keep.append(d)
            dirs[:] = keep
            for n in sorted(names):
                files.append(os.path.normpath(os.path.join(rel_root, n)))
    result = []
    for rel in files:
        full = os.path.join(source, rel)
        if out_abs and os.path.abspath(full).startswith(out_abs + os.sep):
            continue
        if os.path.islink(full) or os.path.isfile(full):  # tracked but deleted files are skipped
            result.append(rel)
    return result


def remove_path(path):
    if os.path.islink(path) or os.path.isfile(path):
        os.remove(path)
    elif os.path.isdir(path):
        shutil.rmtree(path)


def homework_list(text, course, flag):
    """'hw1,hw2' -> ["hw1", "hw2"], each a homework of tasks.json."""
    names = [h.strip() for h in text.split(",") if h.strip()] if text else []
    for h in names:
        if h not in course.homework_ids():
            raise CourseError(f"{flag}: unknown homework '{h}' (homeworks in {course.path}: "
                              f"{', '.join(course.homework_ids())})")
    return names


def plan_tree(source, output, homeworks, reveal, use_git=True):
    """[(rel, new text or None, [marker ids replaced])] for every file of the tree,
    plus the generated course/released.json; raises CourseError before anything is written."""
    course = load_tasks(source)
    released = homework_list(homeworks, course, "--homework")
    revealed = homework_list(reveal, course, "--reveal")
    if output is not None and not released:
        raise CourseError("--homework: name the homework(s) to release, e.g. --homework hw1")
    files = list_files(source, output, use_git=use_git)
    if RELEASED_JSON in files:
        raise CourseError(f"{RELEASED_JSON}: exists in the source tree; the solution tree must not have one "
                          "(only generated student trees do)")
    parsed = scan_tree(source, files, course)
    stub = set(course.homework_ids()) - set(revealed)
    # Files that are themselves a solution in another form (a PyTorch twin of a homework's model) stay out of
    # the student tree unless their homework is revealed.
    withheld = set()
    for h in course.homeworks:
        for f in h.get("withheld", []):
            if f not in files:
                raise CourseError(f"{TASKS_JSON}: homework {h['id']}: withheld file {f} is not in the tree")
            if h["id"] in stub:
                withheld.add(f)
    files = [f for f in files if f not in withheld]
    plans = []
    for rel in files:
        if rel in parsed:
            text, replaced = render(parsed[rel], stub)
            plans.append((rel, text, replaced))
        else:
            plans.append((rel, None, []))
    release = {"generated_by": "course/make_student_tree.py",
               "homeworks": released, "revealed": revealed}
    plans.append((RELEASED_JSON, json.dumps(release, indent=2) + "\n", []))
    return plans


def write_tree(source, output, plans):
    """Writes the planned files into output; returns how many were (re)written."""
    # An existing OUT (--force) is brought up to date: files whose content
    # is unchanged are left alone (so that an incremental build of the student
    # tree stays incremental) and files not in the tree any more are removed.
    os.makedirs(output, exist_ok=True)
    wanted = set()
    written = 0
    for rel, new_text, _ in plans:
        src = os.path.join(source, rel)
        dst = os.path.join(output, rel)
        wanted.add(os.path.normpath(rel))
        os.makedirs(os.path.dirname(dst) or output, exist_ok=True)
        if os.path.islink(src):
            if os.path.islink(dst) and os.readlink(dst) == os.readlink(src):
                continue
            remove_path(dst)
            os.symlink(os.readlink(src), dst)
            written += 1
            continue
        if new_text is not None:
            data = new_text.encode("utf-8")
        else:
            with open(src, "rb") as f:
                data = f.read()
        generated = not os.path.exists(src)  # course/released.json
        if os.path.isfile(dst) and not os.path.islink(dst):
            with open(dst, "rb") as f:
                if f.read() == data:
                    if not generated:
                        shutil.copymode(src, dst)
                    continue
        remove_path(dst)
        with open(dst, "wb") as f:
            f.write(data)
        if not generated:
            shutil.copymode(src, dst)
        written += 1
    for root, dirs, names in os.walk(output, topdown=False):
        for n in names:
            rel = os.path.normpath(os.path.relpath(os.path.join(root, n), output))
            if rel not in wanted:
                os.remove(os.path.join(root, n))
        for d in dirs:
            full = os.path.join(root, d)
            if os.path.islink(full):
                if os.path.normpath(os.path.relpath(full, output)) not in wanted:
                    os.remove(full)
            elif not os.listdir(full):
                os.rmdir(full)
    return written


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="Generate a homework's student tree: every marked solution "
                                             "becomes its task's NotImplemented stub.")
    ap.add_argument("output", nargs="?", help="the folder to write the student tree to")
    ap.add_argument("--source", default=os.path.dirname(here), help="the solution tree (default: this repository)")
    ap.add_argument("--homework", help="the homework(s) this tree releases, e.g. hw1 (or hw1,hw2); "
                                       "the tasks of the others are reported 'not released'")
    ap.add_argument("--reveal", help="homeworks whose solutions stay in the tree, e.g. hw1,hw2 (instructors; "
                                     "default: none, every homework's solutions become stubs)")
    ap.add_argument("--force", action="store_true",
                    help="OUT may exist: bring it up to date (unchanged files are not rewritten; others are removed)")
    ap.add_argument("--no-git", action="store_true", help="walk the folder instead of asking git for the file list")
    ap.add_argument("--check", action="store_true", help="only validate tasks.json and the markers; write nothing")
    args = ap.parse_args(argv)

    source = os.path.abspath(args.source)
    if not args.check and not args.output:
        ap.error("OUT is required (or --check)")
    output = os.path.abspath(args.output) if args.output and not args.check else None
    if output and (output == source or source.startswith(output + os.sep)):
        ap.error(f"OUT ({output}) must not be the source tree or contain it")
    if output and os.path.exists(output) and not args.force and os.listdir(output):
        print(f"make_student_tree: error: {output} exists and is not empty (use --force to replace it)",
              file=sys.stderr)
        return 1

    try:
        plans = plan_tree(source, output, args.homework, args.reveal, use_git=not args.no_git)
    except CourseError as e:
        print(f"make_student_tree: error: {e}", file=sys.stderr)
        return 1

    total, tasks = 0, set()
    for rel, _, replaced in plans:
        if replaced:
            print(f"{rel}: replaced {len(replaced)} solution(s): {', '.join(replaced)}")
            total += len(replaced)
            tasks.update(m.split("/")[0] for m in replaced)
    if args.check:
        print(f"make_student_tree: tasks.json and markers OK: {total} solution(s) in {len(plans) - 1} files")
        return 0

    written = write_tree(source, output, plans)
    release = json.loads(plans[-1][1])
    print(f"make_student_tree: {len(plans)} files in {output} ({written} written); replaced {total} solution(s) "
          f"of tasks {' '.join(sorted(tasks)) or 'none'}; released: {', '.join(release['homeworks'])}; "
          f"revealed: {', '.join(release['revealed']) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
