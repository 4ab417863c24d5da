"""The engine improves its own code under review: a self task (benchmarks/self/) is built,
evolved, approved at the terminal and applied to a copy of this project, where the module's
own tests pass; `[review] verify` ran them on a copy first."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "benchmarks" / "self" / "build.py"
MODULE_TESTS = "tests/evolve/search/test_selection.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("evolve_self_benchmark", BUILD)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def evolve(*args: str, stdin: str = "", cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "evolve.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


def module_tests(project: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", MODULE_TESTS]
    return subprocess.run(command, capture_output=True, text=True, cwd=project, check=False)


def copy_of_project(where: Path) -> Path:
    project = where / "project"
    project.mkdir()
    for name in ("evolve", "sandbox", "tests"):
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "pyproject.toml", project / "pyproject.toml")
    return project


def test_the_build_copies_the_package_and_plants_the_defect(tmp_path: Path) -> None:
    build = _load()
    [task] = [t for t in build.TASKS if t.name == "lexicase_repair"]
    folder = build.build(task, tmp_path)
    planted = (folder / task.module).read_text()
    assert planted != (ROOT / task.module).read_text()
    assert "weights[case] < 0" in planted
    assert (folder / "evolve" / "cli.py").read_text() == (ROOT / "evolve" / "cli.py").read_text()
    # The module's own tests fail on the planted copy: there is something to repair.
    assert module_tests(folder).returncode == 1


@pytest.mark.slow
def test_evolve_review_apply_to_a_copy_of_the_project(tmp_path: Path) -> None:
    build = _load()
    # The project as it was when the defect crept in: its copy holds the run's seed. Taken
    # with the task, so both hold the package as it is now.
    project = copy_of_project(tmp_path)
    build.plant(project, BUILD.parent / "defects" / "lexicase.patch")
    assert build.main([str(tmp_path / "tasks"), "--only", "lexicase_repair"]) == 0
    task_dir = tmp_path / "tasks" / "lexicase_repair"
    runs = tmp_path / "runs"

    run = evolve("run", str(task_dir), "--seed", "1", "--runs-dir", str(runs), "--json", "--quiet")
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout.splitlines()[-1])
    assert summary["solved"] and summary["accepted"] >= 1
    run_dir = summary["run_dir"]

    assert module_tests(project).returncode == 1
    target = str(project)  # the program is the package: its files are named evolve/...

    # Manual review: nothing is written before a person approves.
    refused = evolve("apply", run_dir, "--to", target)
    assert refused.returncode == 2 and "not approved" in refused.stderr
    review = evolve("review", run_dir, stdin="a\n" * summary["accepted"])
    assert review.returncode == 0, review.stderr
    assert "approved" in review.stdout

    applied = evolve("apply", run_dir, "--to", target)
    assert applied.returncode == 0, applied.stderr
    assert "evolve/search/selection.py" in applied.stdout
    events = [json.loads(line) for line in (Path(run_dir) / "events.jsonl").open()]
    [verified] = [e for e in events if e["type"] == "verify_command"]
    assert verified["passed"] and verified["project"] == str(project.resolve())
    assert MODULE_TESTS in verified["command"] and "20 passed" in verified["output"]

    after = module_tests(project)
    assert after.returncode == 0, after.stdout
    # Repaired by the negated condition or the turned comparison: the planted line is gone.
    planted = "max(column) if weights[case] < 0 else"
    assert planted not in (project / "evolve/search/selection.py").read_text()
