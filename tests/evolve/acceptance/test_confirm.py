"""Timed confirmation of speed-ups: the statistic, and a real run in the sandbox."""

from __future__ import annotations

import random
from collections.abc import Callable
from math import comb
from pathlib import Path

import pytest

from evolve.acceptance.confirm import confirm, judge_timings, timing_suite
from evolve.evaluation.evaluator import Evaluator, Variant, source_hash
from evolve.run import read_program
from evolve.store.database import RunStore
from evolve.task import load_task
from sandbox import CaseSuite, Evaluation, Limits, Status, make_sandbox
from tests.doubles import SerialExecutor


def noisy(rng: random.Random, centre: float, n: int = 10) -> list[float]:
    return [centre * rng.uniform(0.8, 1.25) for _ in range(n)]


def test_a_clear_speedup_is_confirmed() -> None:
    rng = random.Random(1)
    result = judge_timings(noisy(rng, 0.030), noisy(rng, 0.010))
    assert result.confirmed
    assert 2.0 < result.ratio < 4.5
    assert result.p_value < 0.001
    assert result.to_json()["runs"] == 10


def test_equal_timings_are_not_confirmed() -> None:
    rng = random.Random(2)
    for _ in range(200):
        result = judge_timings(noisy(rng, 0.02), noisy(rng, 0.02))
        assert not result.confirmed


def test_a_slower_child_is_not_confirmed() -> None:
    rng = random.Random(3)
    result = judge_timings(noisy(rng, 0.01), noisy(rng, 0.03))
    assert not result.confirmed and result.ratio < 1


def test_a_significant_but_tiny_gain_is_not_worth_accepting() -> None:
    parent = [0.0120 + i * 1e-6 for i in range(10)]
    child = [0.0100 + i * 1e-6 for i in range(10)]
    result = judge_timings(parent, child)
    assert result.p_value < 0.01
    assert not result.confirmed
    assert "only" in result.reason


def test_too_few_runs_confirm_nothing() -> None:
    assert not judge_timings([1.0], [0.1]).confirmed


SLOW = """def paths(r, c):
    if r == 0 or c == 0:
        return 1
    return paths(r - 1, c) + paths(r, c - 1)
"""
FAST = "import functools\n\n\n@functools.cache\n" + SLOW


@pytest.mark.slow
def test_memoisation_is_confirmed_in_the_sandbox(
    tmp_path: Path, make_task: Callable[..., Path]
) -> None:
    cases: list[tuple[list[object], object]] = [([r, 8], comb(r + 8, r)) for r in range(4, 9)]
    task = load_task(make_task(tmp_path / "paths", SLOW, "paths", cases, goal="speedup"))
    store = RunStore.create(tmp_path / "run")
    sandbox = make_sandbox("process")
    try:
        evaluator = Evaluator(task, read_program(task), store, SerialExecutor(), sandbox)
        suite = timing_suite((task.suite, task.holdout))
        assert suite is not None
        parent = Variant((), SLOW, source_hash(SLOW))
        child = Variant((), FAST, source_hash(FAST))
        faster = confirm(evaluator, parent, child, suite, task.limits, runs=8)
        same = confirm(evaluator, parent, parent, suite, task.limits, runs=8)
    finally:
        sandbox.close()
        store.close()
    assert faster.confirmed, faster.reason
    assert faster.ratio > 2
    assert not same.confirmed, same.reason


class ScriptedEvaluator:
    """Times from a script: the parent always takes 1.0 s, the child what `child` says."""

    def __init__(self, child: list[float]) -> None:
        self.child = iter(child)

    def timed(self, variant: Variant, suite: object, limits: object) -> Evaluation:
        seconds = 1.0 if variant.source == "parent" else next(self.child)
        return Evaluation(status=Status.OK, case_s=seconds)


def test_an_inconclusive_first_look_gets_a_second_batch() -> None:
    parent, child = Variant((), "parent", "p"), Variant((), "child", "c")
    suite = CaseSuite("f", ())
    # Mostly twice as fast, but the busy machine made a third of the child's runs slow.
    first = [0.5, 0.5, 1.5] * 2
    clear = [0.5] * 6
    result = confirm(ScriptedEvaluator(first + clear), parent, child, suite, Limits(), runs=6)  # type: ignore[arg-type]
    assert len(result.parent_s) == 12
    assert result.confirmed, result.reason
    # A clearly slower child stops after the first batch.
    slow = confirm(ScriptedEvaluator([2.0] * 6), parent, child, suite, Limits(), runs=6)  # type: ignore[arg-type]
    assert len(slow.parent_s) == 6 and not slow.confirmed
