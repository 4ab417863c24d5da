"""A seed that hangs is a defect to repair, not bad input; one that cannot load is refused."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from evolve.errors import UsageError
from evolve.run import RunRequest, start_run
from tests.doubles import Quiet

# The index only advances past vowels: any other letter hangs the loop.
VOWELS = """\
def count_vowels(text):
    count = 0
    i = 0
    while i < len(text):
        if text[i] in "aeiou":
            count += 1
            i += 1
    return count
"""
WORDS = ["aei", "", "oui", "banana", "xyz", "queue", "a", "rhythm"]


def _cases(words: list[str]) -> list[tuple[list[object], object]]:
    return [([w], sum(c in "aeiou" for c in w)) for w in words]


def test_a_seed_that_hangs_on_most_cases_is_repaired_cheaply(
    tmp_path: Path, make_task: Callable[..., Path]
) -> None:
    holdout = _cases(["hello", "sequoia", "bcd", "education", "zz", "aa"])
    task = make_task(tmp_path / "vowels", VOWELS, "count_vowels", _cases(WORDS), holdout)
    started = time.monotonic()
    summary = start_run(RunRequest(task, seed=1, budget=2000, runs_dir=tmp_path / "r"), Quiet())
    assert summary.solved and summary.accepted >= 1
    assert "i += 1" in Path(summary.champion_path).read_text()
    # Every hanging case of every variant would cost 0.1 s without the champion's case plan.
    assert time.monotonic() - started < 60


def test_a_seed_that_hangs_on_every_case_is_a_repair_target(
    tmp_path: Path, make_task: Callable[..., Path]
) -> None:
    words = ["bcd", "xyz", "rhythm", "tsk"]
    task = make_task(tmp_path / "vowels", VOWELS, "count_vowels", _cases(words))
    summary = start_run(RunRequest(task, seed=1, budget=600, runs_dir=tmp_path / "r"), Quiet())
    assert summary.statuses.get("timeout", 0) >= 1  # the seed, at least
    assert summary.solved


def test_a_seed_that_cannot_load_is_refused_in_one_line(
    tmp_path: Path, make_task: Callable[..., Path]
) -> None:
    seed = "import no_such_module_here\n\n\ndef f(x):\n    return x\n"
    task = make_task(tmp_path / "f", seed, "f", [([1], 2)])
    with pytest.raises(UsageError) as caught:
        start_run(RunRequest(task, seed=1, budget=50, runs_dir=tmp_path / "r"), Quiet())
    message = str(caught.value)
    assert "cannot be loaded" in message and "no_such_module_here" in message
    assert "\n" not in message
