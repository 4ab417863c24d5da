"""Shared fixtures: small real tasks written into a temporary directory."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

TaskFactory = Callable[..., Path]


def write_task(
    directory: Path,
    seed: str,
    entry: str,
    cases: list[tuple[list[object], object]],
    holdout: list[tuple[list[object], object]] | None = None,
    *,
    goal: str = "repair",
    budget: int = 400,
    wall_s: float = 2.0,
    cpu_s: float = 1.0,
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "seed.py").write_text(seed)
    lines = "".join(json.dumps({"args": a, "expected": e}) + "\n" for a, e in cases)
    (directory / "cases.jsonl").write_text(lines)
    holdout_line = ""
    if holdout is not None:
        lines = "".join(json.dumps({"args": a, "expected": e}) + "\n" for a, e in holdout)
        (directory / "holdout.jsonl").write_text(lines)
        holdout_line = 'holdout = "holdout.jsonl"\n'
    (directory / "task.toml").write_text(
        f'[task]\nprogram = "seed.py"\nentry = "{entry}"\ngoal = "{goal}"\n'
        f'[tests]\ncases = "cases.jsonl"\n{holdout_line}'
        f"[limits]\nwall_s = {wall_s}\ncpu_s = {cpu_s}\nmemory_mb = 256\n"
        f"[search]\nbudget = {budget}\n"
    )
    return directory


# A one-operator bug: `-` should be `+`; the cases give partial credit (b == 0 passes).
ADD_SEED = '''\
def add(a, b):
    """Return the sum of a and b."""
    return a - b
'''
ADD_CASES: list[tuple[list[object], object]] = [
    ([1, 2], 3),
    ([5, 0], 5),
    ([2, 2], 4),
    ([-1, 4], 3),
]
ADD_HOLDOUT: list[tuple[list[object], object]] = [
    ([a, b], a + b) for a in range(-3, 4) for b in (0, 1, 7)
]


@pytest.fixture
def add_task(tmp_path: Path) -> Path:
    return write_task(tmp_path / "add", ADD_SEED, "add", ADD_CASES, ADD_HOLDOUT)


@pytest.fixture
def make_task() -> TaskFactory:
    """`write_task` as a fixture, so test modules need not import conftest."""
    return write_task
