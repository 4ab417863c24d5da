"""The gate: no regressions, strictly better, within limits; the holdout may not regress."""

from __future__ import annotations

from evolve.acceptance.gate import at_least_as_good, fitness_text, holdout_holds, judge
from evolve.task import Goal
from sandbox import Evaluation, Status, TestOutcome


def evaluation(
    passing: str, failing: str = "", status: Status | None = None, cost: int | None = None
) -> Evaluation:
    tests = [TestOutcome(n, "passed") for n in passing] + [
        TestOutcome(n, "failed") for n in failing
    ]
    if status is None:
        status = Status.FAILED if failing else Status.OK
    return Evaluation(status=status, tests=tuple(sorted(tests, key=lambda t: t.name)), cost=cost)


def test_repair_needs_strictly_more_tests() -> None:
    champion = evaluation("a", "bc")
    assert judge(Goal.REPAIR, champion, evaluation("ab", "c")).accepted
    assert not judge(Goal.REPAIR, champion, evaluation("a", "bc")).accepted


def test_repair_may_not_lose_a_test_even_when_gaining_more() -> None:
    champion = evaluation("a", "bcd")
    verdict = judge(Goal.REPAIR, champion, evaluation("bcd", "a"))
    assert not verdict.accepted
    assert "loses 1" in verdict.reason


def test_limits_are_hard() -> None:
    champion = evaluation("", "ab")
    for status in (
        Status.TIMEOUT,
        Status.MEMORY,
        Status.CRASH,
        Status.OUTPUT_LIMIT,
        Status.INVALID,
        Status.DENIED,
    ):
        assert not judge(Goal.REPAIR, champion, evaluation("ab", "", status=status)).accepted


def test_speedup_needs_every_test_and_a_measurably_lower_cost() -> None:
    champion = evaluation("ab", cost=1000)
    assert judge(Goal.SPEEDUP, champion, evaluation("ab", cost=500)).accepted
    assert not judge(Goal.SPEEDUP, champion, evaluation("ab", cost=995)).accepted
    assert not judge(Goal.SPEEDUP, champion, evaluation("ab", cost=1000)).accepted
    assert not judge(Goal.SPEEDUP, champion, evaluation("a", "b", cost=10)).accepted
    assert not judge(Goal.SPEEDUP, champion, evaluation("ab", cost=None)).accepted


def test_holdout_may_not_regress() -> None:
    assert holdout_holds(None, evaluation("a")).accepted
    assert holdout_holds(evaluation("a", "b"), evaluation("ab")).accepted
    assert not holdout_holds(evaluation("ab"), evaluation("a", "b")).accepted


def test_fitness_text() -> None:
    assert fitness_text(Goal.REPAIR, evaluation("a", "b")) == "1/2"
    assert fitness_text(Goal.SPEEDUP, evaluation("ab", cost=7)) == "2/2 cost 7"


def test_a_minimised_change_may_not_be_weaker() -> None:
    champion, candidate = evaluation("a", "bc"), evaluation("abc")
    assert at_least_as_good(Goal.REPAIR, champion, candidate, evaluation("abc"))
    assert not at_least_as_good(Goal.REPAIR, champion, candidate, evaluation("ab", "c"))
    champion, candidate = evaluation("ab", cost=1000), evaluation("ab", cost=400)
    assert at_least_as_good(Goal.SPEEDUP, champion, candidate, evaluation("ab", cost=400))
    assert not at_least_as_good(Goal.SPEEDUP, champion, candidate, evaluation("ab", cost=500))
