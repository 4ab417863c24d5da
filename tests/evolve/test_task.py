"""Task loading: a good task loads; every kind of bad task is one UsageError naming the place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evolve.errors import UsageError
from evolve.task import Goal, load_task
from sandbox import CaseSuite, PytestSuite

SEED = "def largest(xs):\n    return min(xs)\n"
TOML = """
[task]
name = "largest"
description = "Return the largest element."
program = "seed.py"
entry = "largest"
goal = "repair"

[tests]
cases = "cases.jsonl"
holdout = "holdout.jsonl"

[limits]
wall_s = 1.5
cpu_s = 1.0
memory_mb = 128

[search]
budget = 300
editable = ["largest"]
"""


def make_task(tmp_path: Path, toml: str = TOML, cases: str | None = None) -> Path:
    (tmp_path / "seed.py").write_text(SEED)
    (tmp_path / "task.toml").write_text(toml)
    lines = (
        cases
        if cases is not None
        else (
            json.dumps({"args": [[1, 3, 2]], "expected": 3})
            + "\n"
            + json.dumps({"args": [[5]], "kwargs": {}, "expected": 5})
            + "\n"
        )
    )
    (tmp_path / "cases.jsonl").write_text(lines)
    (tmp_path / "holdout.jsonl").write_text(json.dumps({"args": [[0, -1]], "expected": 0}))
    return tmp_path


def test_loads_a_complete_task(tmp_path: Path) -> None:
    task = load_task(make_task(tmp_path))
    assert task.name == "largest"
    assert task.goal is Goal.REPAIR
    assert task.entry == "largest"
    assert task.module_name == "seed"
    assert isinstance(task.suite, CaseSuite)
    assert [c.expected for c in task.suite.cases] == [3, 5]
    assert task.suite.cases[0].args == ([1, 3, 2],)
    assert isinstance(task.holdout, CaseSuite) and len(task.holdout.cases) == 1
    assert (task.limits.wall_s, task.limits.cpu_s, task.limits.memory_mb) == (1.5, 1.0, 128)
    assert task.budget == 300
    assert task.editable == ("largest",)
    assert task.limits.case_timeout_s == 0.1  # a tenth of min(wall_s, cpu_s)


def test_accepts_the_toml_file_itself_and_defaults(tmp_path: Path) -> None:
    toml = '[task]\nprogram = "seed.py"\nentry = "largest"\n[tests]\ncases = "cases.jsonl"\n'
    task = load_task(make_task(tmp_path, toml) / "task.toml")
    assert task.name == tmp_path.name
    assert task.holdout is None
    assert task.editable is None
    assert task.budget == 5000


def test_pytest_suite(tmp_path: Path) -> None:
    (tmp_path / "test_seed.py").write_text("import seed\n")
    toml = '[task]\nprogram = "seed.py"\n[tests]\npytest = "test_seed.py"\n'
    task = load_task(make_task(tmp_path, toml))
    assert isinstance(task.suite, PytestSuite)
    assert task.suite.test_file == (tmp_path / "test_seed.py").resolve()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("[limits]", "[limits\n"), "malformed TOML"),
        (lambda t: t.replace('goal = "repair"', 'goal = "repair"\ncolour = 1'), "[task] colour"),
        (lambda t: t + "\n[extra]\nx = 1\n", "[extra]: unknown section"),
        (lambda t: t.replace('"seed.py"', '"missing.py"'), "file not found: missing.py"),
        (lambda t: t.replace('"cases.jsonl"', '"nope.jsonl"'), "[tests] cases"),
        (lambda t: t.replace('goal = "repair"', 'goal = "faster"'), "[task] goal"),
        (lambda t: t.replace("budget = 300", "budget = -1"), "[search] budget"),
        (lambda t: t.replace("budget = 300", 'budget = "many"'), "wrong type"),
        (lambda t: t.replace("wall_s = 1.5", "wall_s = 0"), "[limits] wall_s"),
        (lambda t: t.replace("wall_s = 1.5", "wall_s = 1.5\ncase_s = -1"), "[limits] case_s"),
        (lambda t: t.replace('editable = ["largest"]', "editable = []"), "[search] editable"),
        (lambda t: t.replace('entry = "largest"\n', ""), "[task] entry"),
        (lambda t: t.replace('program = "seed.py"\n', ""), "[task] program: missing"),
    ],
)
def test_bad_task_files(tmp_path: Path, edit, message: str) -> None:  # type: ignore[no-untyped-def]
    make_task(tmp_path, edit(TOML))
    with pytest.raises(UsageError, match=r".*") as info:
        load_task(tmp_path)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("cases", "message"),
    [
        (
            '{"args": [[1]], "expected": 1}\n{"args": [[2]], "expected": \n',
            "cases.jsonl:2: not valid JSON",
        ),
        ("[1, 2]\n", "must be a JSON object"),
        ('{"args": [[1]]}\n', "missing key 'expected'"),
        ('{"args": 5, "expected": 1}\n', "args must be a list"),
        ('{"args": [], "expected": 1, "extra": 2}\n', "unknown key 'extra'"),
        ("\n", "holds no cases"),
    ],
)
def test_bad_case_files(tmp_path: Path, cases: str, message: str) -> None:
    make_task(tmp_path, cases=cases)
    with pytest.raises(UsageError) as info:
        load_task(tmp_path)
    assert message in str(info.value)


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"no task\.toml"):
        load_task(tmp_path / "nowhere")
