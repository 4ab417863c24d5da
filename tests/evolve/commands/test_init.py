"""`evolve init FILE:FUNCTION`: a task folder from calls the user gives, from the calls and
answers in their tests, or around a pytest file; the task it writes loads and evaluates."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from evolve.task import load_task

from .conftest import cli, fingerprint, last_json

MODULE = """\
def largest(xs, key=None):
    \"\"\"The largest item of a non-empty list.\"\"\"
    best = xs[0]
    for x in xs[1:]:
        if x < best:  # the bug: should be >
            best = x
    return best
"""

TESTS = """\
from shop import largest


def test_two():
    assert largest([1, 2]) == 2


def test_calls():
    for xs in ([3, 1, 2], [5]):
        largest(xs)
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "shop.py").write_text(MODULE)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_shop.py").write_text(TESTS)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def cases(task_dir: Path) -> list[dict[str, object]]:
    lines = (task_dir / "cases.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def test_init_records_the_calls_given(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = cli(
        capsys, "init", "shop.py:largest", "--call", "largest([1, 2, 3])",
        "--call", "largest(xs=[4, 9])", "--call", "largest([])",
    )  # fmt: skip
    assert status == 0, err
    task_dir = project / "tasks" / "largest"
    assert cases(task_dir) == [
        {"args": [[1, 2, 3]], "expected": 1},  # what it returns today: the user corrects it
        {"args": [], "kwargs": {"xs": [4, 9]}, "expected": 4},
    ]
    assert "not recorded: largest([])" in out and "IndexError" in out
    assert "next:" in out and f"evolve run {Path('tasks') / 'largest'}" in out
    task = load_task(task_dir)
    assert task.entry == "largest" and task.goal.value == "repair"
    status, out, _ = cli(capsys, "eval", str(task_dir), "--json")
    assert status == 0 and json.loads(out)["passed"] == 2


def test_init_takes_answers_and_calls_from_the_tests(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """In a process of its own, as users run it: the tests run under pytest in the sandbox."""
    done = subprocess.run(
        [sys.executable, "-m", "evolve.cli", "init", "shop.py:largest", "--json", "--out", "t"],
        capture_output=True,
        text=True,
        cwd=project,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    summary = last_json(done.stdout)
    assert summary["asserted"] == 1 and summary["failing"] == 1
    recorded = cases(project / "t")
    assert {"args": [[1, 2]], "expected": 2} in recorded  # the answer the test states
    assert {"args": [[5]], "expected": 5} in recorded  # a call the tests made, recorded
    status, out, _ = cli(capsys, "eval", "t", "--json")
    assert status == 0 and json.loads(out)["failed"] >= 1  # something to repair


HANGING = """\
def squash(s):
    out = []
    i = 0
    while i < len(s):
        if out and out[-1] == s[i]:
            continue  # the bug: i never advances on a repeat
        out.append(s[i])
        i += 1
    return "".join(out)
"""

HANGING_TESTS = """\
from squash import squash


def test_distinct():
    assert squash("abc") == "abc"


def test_repeats():
    assert squash("aab") == "ab"


def test_calls():
    squash("xy")
"""


@pytest.mark.slow
def test_init_on_a_program_that_hangs_keeps_what_finishes(tmp_path: Path) -> None:
    """A program to repair may hang: the hanging test and call are stopped alone (at
    `TEST_S` and `CALL_S`: this takes some seconds), the rest are traced and recorded, and
    only the calls that do not pass count as failing."""
    (tmp_path / "squash.py").write_text(HANGING)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_squash.py").write_text(HANGING_TESTS)
    done = subprocess.run(
        [sys.executable, "-m", "evolve.cli", "init", "squash.py:squash", "--json", "--out", "t"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "evolve: running the tests in tests" in done.stderr
    assert "evolve: running squash on 3 calls in the sandbox" in done.stderr
    summary = last_json(done.stdout)
    assert summary["asserted"] == 2 and summary["failing"] == 1, summary
    recorded = cases(tmp_path / "t")
    assert {"args": ["abc"], "expected": "abc"} in recorded
    assert {"args": ["aab"], "expected": "ab"} in recorded
    assert {"args": ["xy"], "expected": "xy"} in recorded  # traced: its test did not hang


@pytest.mark.parametrize("tests", ["tests/test_shop.py", "tests"])
def test_init_around_the_projects_pytest_tests(
    project: Path, capsys: pytest.CaptureFixture[str], tests: str
) -> None:
    """The task's folder is the project's root: task.toml is written beside the program."""
    status, out, err = cli(capsys, "init", "shop.py:largest", "--pytest", tests)
    assert status == 0, err
    assert "wrote task.toml" in out
    task = load_task(project)
    assert task.entry == "largest"
    status, out, _ = cli(capsys, "eval", ".")
    assert status == 0 and "test_two" in out
    status, _, err = cli(capsys, "init", "shop.py:largest", "--pytest", tests)
    assert status == 2 and "exists; --force replaces it" in err
    status, _, err = cli(capsys, "init", "shop.py:largest", "--pytest", tests, "--out", "tests")
    assert status == 2 and "must hold the program" in err


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["shop.py"], "name the function the cases call"),
        (["nowhere.py:largest"], "nowhere.py"),
        (["shop.py:smallest", "--call", "smallest([1])"], "smallest"),
        (["shop.py:largest", "--call", "largest(open('x'))"], "largest(open('x'))"),
        (["shop.py:largest", "--call", "max([1])"], "max([1])"),
        (["shop.py:largest", "--call", "largest([1]", "--goal", "speedup"], "largest([1]"),
        (["shop.py:largest", "--pytest", "tests/test_shop.py", "--call", "largest([1])"],
         "give it alone"),
        (["shop.py:largest", "--cases-from-tests", "missing"], "missing"),
    ],
)  # fmt: skip
def test_init_refuses_bad_input_in_one_line_writing_nothing(
    project: Path, capsys: pytest.CaptureFixture[str], argv: list[str], said: str
) -> None:
    before = fingerprint(project)
    status, out, err = cli(capsys, "init", *argv)
    assert status == 2 and out == "" and err.count("\n") == 1 and said in err, err
    assert fingerprint(project) == before


def test_init_does_not_overwrite_a_task_without_force(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["init", "shop.py:largest", "--call", "largest([1])"]
    assert cli(capsys, *argv)[0] == 0
    written = fingerprint(project / "tasks")
    status, _, err = cli(capsys, *argv, "--call", "largest([2, 1])")
    assert status == 2 and "--force" in err
    # Refused before any call is recorded: one line, nothing run.
    assert err.count("\n") == 1 and "recording" not in err, err
    assert fingerprint(project / "tasks") == written
    assert cli(capsys, *argv, "--call", "largest([2, 1])", "--force")[0] == 0
    assert len(cases(project / "tasks" / "largest")) == 2


def test_the_description_is_the_docstring_s_first_paragraph_on_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = (
        'def valid(code):\n    """True when `code` (ten characters, digits with an optional\n'
        '    final \'X\') is a valid number.\n\n    More detail.\n    """\n    return True\n'
    )
    (tmp_path / "isbn.py").write_text(source)
    monkeypatch.chdir(tmp_path)
    status, _, err = cli(capsys, "init", "isbn.py:valid", "--call", "valid('0')")
    assert status == 0, err
    [task] = [p for p in tmp_path.rglob("task.toml")]
    assert load_task(task.parent).description == (
        "True when `code` (ten characters, digits with an optional final 'X') is a valid number."
    )


TRUTHS = """\
def is_even(n):
    return n % 2 == 1  # the bug: odd for even


def evens(xs):
    return [x for x in xs if x % 2 == 0]
"""

TRUTH_TESTS = """\
import unittest

from nums import evens, is_even


def test_even():
    assert is_even(4)


def test_odd():
    assert not is_even(7)


class Test(unittest.TestCase):
    def test_zero(self):
        self.assertTrue(is_even(0))

    def test_listed(self):
        assert evens([1, 2, 3])
"""


@pytest.mark.parametrize(
    ("target", "expected", "failing"),
    [
        # A predicate: the truth a test asserts is its answer, and the seed fails all three.
        ("is_even", [{"args": [4], "expected": True}, {"args": [7], "expected": False},
                     {"args": [0], "expected": True}], 3),
        # A list is true or false: `assert evens(...)` says less than True; today's output.
        ("evens", [{"args": [[1, 2, 3]], "expected": [2]}], 0),
    ],
)  # fmt: skip
def test_init_takes_the_truth_a_plain_assert_states(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    target: str, expected: list[dict[str, object]], failing: int,
) -> None:  # fmt: skip
    (tmp_path / "nums.py").write_text(TRUTHS)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_nums.py").write_text(TRUTH_TESTS)
    monkeypatch.chdir(tmp_path)
    status, out, err = cli(
        capsys, "init", f"nums.py:{target}", "--cases-from-tests", "tests", "--out", "t", "--json"
    )
    assert status == 0, err
    assert sorted(map(json.dumps, cases(tmp_path / "t"))) == sorted(map(json.dumps, expected))
    assert last_json(out)["failing"] == failing
