"""The engine's own code as benchmarks: write task folders whose program is this project's
`evolve` package and whose tests are this project's own tests for one of its modules.

    python benchmarks/self/build.py OUT_DIR [--only NAME ...]

The package is copied from the installed `evolve` (the one this interpreter imports) into
each task, so a run edits the copy and never the engine that is running. The tests, their
conftests and helpers, and the pytest configuration are copied from this checkout. A task
with a defect gets it planted in its copy (`defects/NAME.patch`, a unified diff with the
story in its header). Every task is reviewed by hand (`[review] mode = "manual"`), and
`evolve apply` writes a champion only after the module's own tests pass on a copy of the
project holding it (`[review] verify`, run with this interpreter).
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import evolve

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PACKAGE = Path(evolve.__file__).resolve().parent
# What every engine test module imports through its conftests: copied with the tests.
TEST_SUPPORT = ("tests/conftest.py", "tests/evolve/conftest.py", "tests/doubles.py")


@dataclass(frozen=True)
class SelfTask:
    name: str
    description: str
    goal: str
    module: str  # the module under test, relative to the project
    editable: tuple[str, ...]  # the functions the search may edit
    tests: tuple[str, ...]  # this project's own tests for that module
    budget: int
    defect: str | None = None  # defects/NAME.patch, planted in the task's copy


TASKS = (
    SelfTask(
        name="lexicase_repair",
        description=(
            "The engine's lexicase parent selection (evolve/search/selection.py) with a planted"
            " defect; its own tests compare every choice with DEAP's."
        ),
        goal="repair",
        module="evolve/search/selection.py",
        editable=("lexicase",),
        tests=("tests/evolve/search/test_selection.py",),
        budget=1000,
        defect="lexicase",
    ),
    SelfTask(
        name="lexicase_speedup",
        description=(
            "The engine's lexicase parent selection (evolve/search/selection.py), as it is:"
            " run its own tests, every choice the same as DEAP's, executing fewer lines."
        ),
        goal="speedup",
        module="evolve/search/selection.py",
        editable=("lexicase",),
        tests=("tests/evolve/search/test_selection.py",),
        budget=300,
    ),
)

# Not a test of the project's: the engine's package imports libcst, which its tests do not
# name. A fork-server worker imports once what a suite's files import, so naming it here
# spares every variant's child that import (about half of its import time).
WARM_CONFTEST = """\
\"\"\"Written by benchmarks/self/build.py: the third-party modules the engine's package
imports, named so that the sandbox's workers import them once for every variant.\"\"\"

import libcst  # noqa: F401
import libcst.metadata  # noqa: F401
"""

TASK_TOML = """\
[task]
name = {name}
description = {description}
program = "evolve"
goal = "{goal}"

[tests]
pytest = {tests}
files = {files}

[limits]
wall_s = 60.0
cpu_s = 30.0
memory_mb = 1024

[search]
budget = {budget}
editable = {editable}

[review]
mode = "manual"
verify = {verify}
verify_timeout_s = 600
"""


def build(task: SelfTask, out: Path) -> Path:
    """Write one task folder under `out`; returns it."""
    folder = out / task.name
    if folder.exists():
        raise SystemExit(f"{folder}: exists; build into an empty directory")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(PACKAGE, folder / "evolve", ignore=ignore)
    for relative in (*TEST_SUPPORT, *task.tests):
        destination = folder / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / relative, destination)
    # The project's pytest configuration: markers, `--import-mode=importlib`, testpaths.
    shutil.copy2(ROOT / "pyproject.toml", folder / "pyproject.toml")
    (folder / "conftest.py").write_text(WARM_CONFTEST, encoding="utf-8")
    if task.defect is not None:
        plant(folder, HERE / "defects" / f"{task.defect}.patch")
    pytest_command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    verify = shlex.join([*pytest_command, *task.tests])
    (folder / "task.toml").write_text(
        TASK_TOML.format(
            name=json.dumps(task.name),
            description=json.dumps(task.description),
            goal=task.goal,
            tests=json.dumps(list(task.tests)),
            files=json.dumps(["tests/doubles.py"]),
            budget=task.budget,
            editable=json.dumps(list(task.editable)),
            verify=json.dumps(verify),
        ),
        encoding="utf-8",
    )
    return folder


def plant(folder: Path, patch: Path) -> None:
    """Apply a unified diff whose paths are relative to the project (`a/evolve/...`): each
    hunk's old lines must occur exactly once in the file, and become its new lines."""
    target: Path | None = None
    hunks: list[tuple[list[str], list[str]]] = []

    def flush() -> None:
        if target is None:
            return
        text = target.read_text(encoding="utf-8")
        for old, new in hunks:
            before, after = "".join(old), "".join(new)
            if text.count(before) != 1:
                raise SystemExit(f"{patch.name}: a hunk does not apply to {target}")
            text = text.replace(before, after)
        target.write_text(text, encoding="utf-8")

    for line in patch.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.startswith("+++ "):
            flush()
            target, hunks = folder / line[4:].strip().removeprefix("b/"), []
        elif line.startswith(("--- ", "#")):
            continue
        elif line.startswith("@@"):
            hunks.append(([], []))
        elif hunks and line[:1] in (" ", "-", "+"):
            old, new = hunks[-1]
            if line[0] != "+":
                old.append(line[1:])
            if line[0] != "-":
                new.append(line[1:])
    flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="directory to write the task folders into")
    parser.add_argument("--only", action="append", help="task name (repeatable)")
    args = parser.parse_args(argv)
    chosen = [t for t in TASKS if not args.only or t.name in args.only]
    unknown = set(args.only or ()) - {t.name for t in TASKS}
    if unknown:
        print(f"build.py: no task named {sorted(unknown)[0]}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for task in chosen:
        print(build(task, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
