#!/usr/bin/env python3
"""Generate the student version of the dgm tree.

Copies the repository's source tree into OUT and replaces the body of every
marked reference solution

    // BEGIN SOLUTION hw1.3 causal attention mask: an (L, L) float tensor, 0 on and below the diagonal, -inf above
    ...reference code...
    // END SOLUTION

with a stub that keeps the indentation of the BEGIN line:

    // TODO hw1.3: causal attention mask: ...
    throw dgm::NotImplemented("hw1.3: causal attention mask: ...");

Usage:
    course/make_student_tree.py OUT [--homework hw1] [--source DIR] [--force] [--no-git]
    course/make_student_tree.py --check [--source DIR]

--homework hw1 replaces only that homework's tasks (the others keep their
solutions and markers). --check validates every marker without writing.
Known task ids are those of the points table in tests/course/grading.cpp.
Standard library only.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

SOURCE_SUFFIXES = (".cpp", ".h", ".hpp", ".cc", ".cu", ".cuh", ".inl")
SKIP_DIRS_EXACT = {".git", "data", "runs", "__pycache__"}
BEGIN = "// BEGIN SOLUTION"
END = "// END SOLUTION"
TASK_ID_RE = re.compile(r"^(hw[0-9]+)\.[0-9]+$")
GRADING_ID_RE = re.compile(r'\{\s*"(hw[0-9]+\.[0-9]+)"\s*,')


class MarkerError(Exception):
    pass


def known_task_ids(source):
    path = os.path.join(source, "tests", "course", "grading.cpp")
    if not os.path.exists(path):
        raise MarkerError(f"{path}: missing; it holds the table of known task ids")
    with open(path, encoding="utf-8") as f:
        ids = set(GRADING_ID_RE.findall(f.read()))
    if not ids:
        raise MarkerError(f"{path}: no task ids found in the points table")
    return ids


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


def c_string(text):
    return text.replace("\\", "\\\\").replace('"', '\\"')


def process_text(text, rel, known_ids, homework=None):
    """Returns (new_text, [replaced task ids]); raises MarkerError naming file:line."""
    lines = text.splitlines(keepends=True)
    out = []
    replaced = []
    open_marker = None  # (line number, indent, id, description, replace?)
    for no, line in enumerate(lines, start=1):
        stripped = line.strip()
        where = f"{rel}:{no}"
        if stripped.startswith(BEGIN):
            if open_marker is not None:
                raise MarkerError(f"{where}: BEGIN SOLUTION inside the solution opened at {rel}:{open_marker[0]} "
                                  "(markers do not nest; close it with // END SOLUTION first)")
            rest = stripped[len(BEGIN):].strip()
            parts = rest.split(None, 1)
            if not parts:
                raise MarkerError(f"{where}: BEGIN SOLUTION without a task id (expected // BEGIN SOLUTION hw1.3 <description>)")
            task_id = parts[0]
            description = parts[1].strip() if len(parts) > 1 else ""
            if not TASK_ID_RE.match(task_id):
                raise MarkerError(f"{where}: malformed task id '{task_id}' (expected hw<N>.<k>, e.g. hw1.3)")
            if task_id not in known_ids:
                raise MarkerError(f"{where}: unknown task id '{task_id}' (known: {', '.join(sorted(known_ids))}; "
                                  "add it to the points table in tests/course/grading.cpp)")
            if not description:
                raise MarkerError(f"{where}: BEGIN SOLUTION {task_id} has no description (the line the student sees)")
            indent = line[:len(line) - len(line.lstrip())]
            replace = homework is None or TASK_ID_RE.match(task_id).group(1) == homework
            open_marker = (no, indent, task_id, description, replace)
            if not replace:
                out.append(line)
            continue
        if stripped.startswith(END):
            if stripped != END:
                raise MarkerError(f"{where}: unexpected text after // END SOLUTION")
            if open_marker is None:
                raise MarkerError(f"{where}: END SOLUTION without a BEGIN SOLUTION")
            _, indent, task_id, description, replace = open_marker
            if replace:
                eol = "\r\n" if line.endswith("\r\n") else "\n"
                out.append(f"{indent}// TODO {task_id}: {description}{eol}")
                out.append(f'{indent}throw dgm::NotImplemented("{task_id}: {c_string(description)}");{eol}')
                replaced.append(task_id)
            else:
                out.append(line)
            open_marker = None
            continue
        if ("BEGIN SOLUTION" in stripped or "END SOLUTION" in stripped) and stripped.startswith("//") \
                and re.match(r"^//\s*(BEGIN|END)\s+SOLUTION", stripped):
            raise MarkerError(f"{where}: malformed marker (write exactly '{BEGIN} hwN.k <description>' "
                              f"or '{END}')")
        if open_marker is None or not open_marker[4]:
            out.append(line)
    if open_marker is not None:
        raise MarkerError(f"{rel}:{open_marker[0]}: BEGIN SOLUTION {open_marker[2]} is never closed "
                          "(missing // END SOLUTION)")
    return "".join(out), replaced


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="Generate the student tree: marked solutions become NotImplemented stubs.")
    ap.add_argument("output", nargs="?", help="the folder to write the student tree to")
    ap.add_argument("--source", default=os.path.dirname(here), help="the solution tree (default: this repository)")
    ap.add_argument("--homework", help="replace only this homework's tasks, e.g. hw1 (default: all)")
    ap.add_argument("--force", action="store_true",
                    help="OUT may exist: bring it up to date (unchanged files are not rewritten; others are removed)")
    ap.add_argument("--no-git", action="store_true", help="walk the folder instead of asking git for the file list")
    ap.add_argument("--check", action="store_true", help="only validate the markers; write nothing")
    args = ap.parse_args(argv)

    source = os.path.abspath(args.source)
    if args.homework is not None and not re.match(r"^hw[0-9]+$", args.homework):
        ap.error(f"--homework: expected hw<N>, e.g. hw1; got '{args.homework}'")
    if not args.check and not args.output:
        ap.error("OUT is required (or --check)")
    output = os.path.abspath(args.output) if args.output else None
    if output and (output == source or source.startswith(output + os.sep)):
        ap.error(f"OUT ({output}) must not be the source tree or contain it")

    if output and os.path.exists(output) and not args.force and os.listdir(output):
        print(f"make_student_tree: error: {output} exists and is not empty (use --force to replace it)",
              file=sys.stderr)
        return 1

    try:
        known = known_task_ids(source)
        files = list_files(source, output, use_git=not args.no_git)
        # Validate everything before writing anything.
        plans = []
        for rel in files:
            full = os.path.join(source, rel)
            new_text, replaced = None, []
            if rel.endswith(SOURCE_SUFFIXES) and not os.path.islink(full):
                with open(full, encoding="utf-8", newline="") as f:
                    text = f.read()
                if "SOLUTION" in text:
                    new_text, replaced = process_text(text, rel, known, args.homework)
            plans.append((rel, new_text, replaced))
    except MarkerError as e:
        print(f"make_student_tree: error: {e}", file=sys.stderr)
        return 1
    except UnicodeDecodeError as e:
        print(f"make_student_tree: error: a source file is not UTF-8: {e}", file=sys.stderr)
        return 1

    total = 0
    tasks = set()
    for rel, _, replaced in plans:
        if replaced:
            counts = {}
            for t in replaced:
                counts[t] = counts.get(t, 0) + 1
            detail = ", ".join(f"{t} x{n}" if n > 1 else t for t, n in sorted(counts.items()))
            print(f"{rel}: replaced {len(replaced)} task(s): {detail}")
            total += len(replaced)
            tasks.update(replaced)
    if args.check:
        print(f"make_student_tree: markers OK: {total} solution(s) would be replaced in {len(files)} files")
        return 0

    # With --force an existing OUT is brought up to date: files whose content
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
        if os.path.isfile(dst) and not os.path.islink(dst):
            with open(dst, "rb") as f:
                if f.read() == data:
                    shutil.copymode(src, dst)
                    continue
        remove_path(dst)
        with open(dst, "wb") as f:
            f.write(data)
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
    scope = f"homework {args.homework}" if args.homework else "all homeworks"
    print(f"make_student_tree: {len(plans)} files in {output} ({written} written); replaced {total} solution(s) "
          f"({scope}); tasks: {' '.join(sorted(tasks)) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
