"""How a variant's cases are run, derived from the champion: so that a hang costs milliseconds.

Many variants of a program hang: an edit that stops a loop's variable from advancing, or a
seed whose defect is a hang. Each hanging case used to cost the task's whole per-case limit,
and a variant that hangs on every case the limit times the cases. The champion's own run says
what a case should cost, so each case gets a CPU-time limit a multiple of the champion's time
on it (never below a floor that noise cannot reach, never above the task's limit), the cases
the champion passes run first, and a variant is stopped as soon as it times out on one of
those (it has lost a test the champion passes and can no longer be accepted) or on
`STOP_AFTER_TIMEOUTS` cases in all. Its unrun cases count as timeouts.

The plan depends only on the champion's recorded evaluation, so a resumed run plans alike.
"""

from __future__ import annotations

from sandbox import CasePlan, CaseSuite, Evaluation

# A case may take this many times the champion's own time on it...
TIME_FACTOR = 20.0
# ...but is never cut below this much CPU time: a case the champion runs in microseconds can
# still take a few milliseconds when the interpreter warms up or the machine is loaded.
FLOOR_S = 0.01
# When the champion finished no case at all (a seed that hangs everywhere), no time is known:
# a variant gets this much per case, within the task's own limit.
UNKNOWN_S = 0.05
# A variant that times out on this many cases is stopped: one that keeps its parent's hang
# would time out on every case, each at its limit.
STOP_AFTER_TIMEOUTS = 2


def typical_limit(evaluation: Evaluation, limit_s: float) -> float:
    """One CPU limit for a case of unknown cost, from a program's times on the cases it
    finished: `TIME_FACTOR` times the longest, within [`FLOOR_S`, `limit_s`]; `UNKNOWN_S`
    (within `limit_s`) when it finished none."""
    finished = [time for time in evaluation.case_times if time is not None]
    if not finished:
        return min(limit_s, UNKNOWN_S)
    return min(limit_s, max(FLOOR_S, TIME_FACTOR * max(finished)))


def plan_cases(suite: CaseSuite, champion: Evaluation, limit_s: float) -> CasePlan | None:
    """The plan for variants judged against `champion`, or None when `champion` is not an
    evaluation of `suite` (it did not load, say)."""
    cases = len(suite.cases)
    if len(champion.tests) != cases or len(champion.case_times) != cases:
        return None
    outcomes = [test.outcome for test in champion.tests]
    finished = [
        t for t, outcome in zip(champion.case_times, outcomes, strict=True) if t is not None
    ]
    unknown = min(limit_s, max(FLOOR_S, TIME_FACTOR * max(finished))) if finished else None
    cpu_s = []
    for time, outcome in zip(champion.case_times, outcomes, strict=True):
        if time is not None and outcome != "timeout":
            cpu_s.append(min(limit_s, max(FLOOR_S, TIME_FACTOR * time)))
        else:
            cpu_s.append(unknown if unknown is not None else min(limit_s, UNKNOWN_S))
    passed = [i for i, outcome in enumerate(outcomes) if outcome == "passed"]
    # Cheap verdicts first: the cases the champion passes, where a hang stops the variant;
    # then those it fails; its own hangs last.
    rank = {"passed": 0, "timeout": 2}
    order = sorted(range(cases), key=lambda i: (rank.get(outcomes[i], 1), i))
    return CasePlan(
        order=tuple(order),
        cpu_s=tuple(round(s, 4) for s in cpu_s),
        critical=frozenset(passed),
        stop_after_timeouts=STOP_AFTER_TIMEOUTS,
    )
