"""A case plan, in both modes: run order, per-case CPU limits, and stopping a hanging variant."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator

import pytest

from sandbox import Case, CasePlan, CaseSuite, Limits, Sandbox, Status, make_sandbox

LIMITS = Limits(wall_s=5.0, cpu_s=4.0, memory_mb=128, case_s=1.0)

# Hangs on odd inputs, answers even ones at once.
HANGS_ON_ODD = "def f(x):\n    while x % 2:\n        pass\n    return x\n"
SUITE = CaseSuite("f", tuple(Case(f"c{i}", (i,), expected=i) for i in range(6)))


@pytest.fixture(scope="module", params=["process", "fork"])
def sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    box = make_sandbox(request.param, workers=1)
    yield box
    box.close()


def planned(plan: CasePlan) -> CaseSuite:
    return dataclasses.replace(SUITE, plan=plan)


def test_outcomes_and_times_come_back_in_suite_order(sandbox: Sandbox) -> None:
    plan = CasePlan(order=(4, 2, 0, 5, 3, 1), cpu_s=(0.05,) * 6)
    result = sandbox.evaluate(HANGS_ON_ODD, planned(plan), LIMITS)
    assert [t.name for t in result.tests] == [f"c{i}" for i in range(6)]
    assert [t.outcome for t in result.tests] == ["passed", "timeout"] * 3
    assert "CPU-time limit of 0.05 s" in result.tests[1].detail
    times = result.case_times
    assert len(times) == 6 and all(t is None for t in times[1::2])
    assert all(t is not None and 0 <= t < 0.05 for t in times[0::2])


def test_a_cpu_limit_cuts_a_hang_short_of_the_wall_limit_per_case(sandbox: Sandbox) -> None:
    started = time.monotonic()
    result = sandbox.evaluate(HANGS_ON_ODD, planned(CasePlan(cpu_s=(0.03,) * 6)), LIMITS)
    assert result.passed == 3 and result.status is Status.FAILED
    # Three hangs at 1 s each without the plan; well under that with it.
    assert time.monotonic() - started < 2.0


def test_a_timeout_on_a_critical_case_stops_the_rest(sandbox: Sandbox) -> None:
    plan = CasePlan(order=(0, 1, 2, 3, 4, 5), cpu_s=(0.03,) * 6, critical=frozenset({1}))
    result = sandbox.evaluate(HANGS_ON_ODD, planned(plan), LIMITS)
    assert [t.outcome for t in result.tests] == ["passed"] + ["timeout"] * 5
    assert all("not run: stopped after 1" in t.detail for t in result.tests[2:])
    assert result.case_times[2:] == (None,) * 4


def test_stop_after_timeouts_counts_every_case(sandbox: Sandbox) -> None:
    plan = CasePlan(cpu_s=(0.03,) * 6, stop_after_timeouts=2)
    result = sandbox.evaluate(HANGS_ON_ODD, planned(plan), LIMITS)
    # c1 and c3 time out; c4 and c5 are never run.
    assert [t.outcome for t in result.tests] == ["passed", "timeout", "passed", "timeout"] + [
        "timeout"
    ] * 2
    assert "not run" in result.tests[4].detail and "not run" in result.tests[5].detail


def test_without_a_plan_every_case_runs_under_the_wall_limit_per_case(sandbox: Sandbox) -> None:
    limits = dataclasses.replace(LIMITS, case_s=0.05)
    result = sandbox.evaluate(HANGS_ON_ODD, SUITE, limits)
    assert [t.outcome for t in result.tests] == ["passed", "timeout"] * 3
    assert "case time limit of 0.05 s" in result.tests[1].detail


@pytest.mark.parametrize(
    "plan",
    [
        CasePlan(order=(0, 1)),
        CasePlan(order=(0, 0, 1, 2, 3, 4)),
        CasePlan(cpu_s=(0.1,)),
        CasePlan(cpu_s=(-1.0,) * 6),
        CasePlan(critical=frozenset({6})),
        CasePlan(stop_after_timeouts=-1),
    ],
)
def test_a_plan_that_does_not_fit_the_suite_is_the_callers_mistake(
    sandbox: Sandbox, plan: CasePlan
) -> None:
    with pytest.raises(ValueError):
        sandbox.evaluate(HANGS_ON_ODD, planned(plan), LIMITS)
