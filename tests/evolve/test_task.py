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
    assert task.suite.root == tmp_path.resolve()
    assert task.suite.targets == task.suite.files == ("test_seed.py",)
    assert task.suite.config is None


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
        (
            lambda t: t.replace("budget = 300", 'budget = "many"'),
            "must be an integer, not a string: 'many'",
        ),
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


# --- programs of several files ---------------------------------------------------------------


def make_package(tmp_path: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)


PACKAGE = {
    "pkg/__init__.py": "from pkg.core import largest\n",
    "pkg/core.py": "from pkg.util import pick\n\ndef largest(xs):\n    return pick(xs)\n",
    "pkg/util.py": "def pick(xs):\n    return min(xs)\n",
}


def test_a_package_directory_is_a_program_of_several_files(tmp_path: Path) -> None:
    make_task(tmp_path, TOML.replace('program = "seed.py"', 'program = "pkg"'))
    make_package(tmp_path, {**PACKAGE, "pkg/notes.txt": "not code", "pkg/.hidden/x.py": ""})
    task = load_task(tmp_path)
    assert task.program_path == tmp_path.resolve()
    assert task.program_files == ("pkg/__init__.py", "pkg/core.py", "pkg/util.py")
    assert task.module_name == "pkg" and task.several_files


def test_a_list_of_files_and_an_entry_module(tmp_path: Path) -> None:
    files = {"core.py": "from util import pick\n\ndef largest(xs):\n    return pick(xs)\n"}
    make_package(tmp_path, {**files, "util.py": "def pick(xs):\n    return min(xs)\n"})
    toml = TOML.replace('program = "seed.py"', 'program = ["util.py", "core.py"]')
    make_task(tmp_path, toml.replace('entry = "largest"', 'entry = "core:largest"'))
    task = load_task(tmp_path)
    assert task.program_files == ("util.py", "core.py")
    assert task.module_name == "core" and task.entry == "largest"
    assert isinstance(task.suite, CaseSuite) and task.suite.entry == "largest"


@pytest.mark.parametrize(
    ("program", "files", "message"),
    [
        ('"pkg"', {"pkg/__init__.py": "", "pkg/my-util.py": ""}, "is not a relative path"),
        ('"json"', {"json/__init__.py": "", "json/x.py": ""}, "would shadow"),
        ('"empty"', {"empty/README": ""}, "no Python files in empty"),
        ('["a.py", "a.py"]', {"a.py": ""}, "names a file twice"),
        ("[]", {}, "must be a file, a directory or a list of files"),
        ('["a.py", 3]', {"a.py": ""}, "must be a file, a directory or a list of files"),
    ],
)
def test_bad_programs_of_several_files(
    tmp_path: Path, program: str, files: dict[str, str], message: str
) -> None:
    (tmp_path / "empty").mkdir()
    make_package(tmp_path, files)
    make_task(tmp_path, TOML.replace('program = "seed.py"', f"program = {program}"))
    with pytest.raises(UsageError, match="program") as caught:
        load_task(tmp_path)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_an_entry_module_needs_several_files(tmp_path: Path) -> None:
    make_task(tmp_path, TOML.replace('entry = "largest"', 'entry = "seed:largest"'))
    with pytest.raises(UsageError, match=r"\[task\] entry: a module is named only for several"):
        load_task(tmp_path)


def test_a_seed_named_like_a_standard_module_is_refused_in_one_line(tmp_path: Path) -> None:
    task = tmp_path / "t"
    task.mkdir()
    (task / "calendar.py").write_text("def f(x):\n    return x\n")
    (task / "cases.jsonl").write_text('{"args": [1], "expected": 1}\n')
    (task / "task.toml").write_text(
        '[task]\nprogram = "calendar.py"\nentry = "f"\n[tests]\ncases = "cases.jsonl"\n'
    )
    with pytest.raises(UsageError) as caught:
        load_task(task)
    assert "shadow" in str(caught.value) and "\n" not in str(caught.value)


def test_review_verify_is_read_with_its_timeout(tmp_path: Path) -> None:
    toml = TOML + '\n[review]\nmode = "manual"\nverify = "python -m pytest -q tests"\n'
    task = load_task(make_task(tmp_path, toml + "verify_timeout_s = 30\n"))
    assert task.verify == "python -m pytest -q tests"
    assert task.verify_timeout_s == 30.0
    assert load_task(make_task(tmp_path, TOML)).verify is None


@pytest.mark.parametrize(
    ("review", "message"),
    [
        ('verify = ""', "[review] verify: must not be empty"),
        ('verify = "   "', "[review] verify: must not be empty"),
        ('verify = "pytest \'tests"', "[review] verify: cannot be split into words"),
        ('verify = ["pytest"]', "[review] verify: must be a string, not an array"),
        ('verify = "pytest"\nverify_timeout_s = 0', "[review] verify_timeout_s: must be positive"),
        ("verify_timeout_s = 10", "[review] verify_timeout_s: only with [review] verify"),
    ],
)
def test_bad_review_verify(tmp_path: Path, review: str, message: str) -> None:
    make_task(tmp_path, TOML + f"\n[review]\n{review}\n")
    with pytest.raises(UsageError) as info:
        load_task(tmp_path)
    assert message in str(info.value) and "\n" not in str(info.value)
