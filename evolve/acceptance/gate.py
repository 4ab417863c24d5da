"""The gate: when a variant may replace the champion.

A variant advances only when it keeps every test the champion passed, stays within the
limits, and is strictly better: more tests passed (repair), or the same tests at a cost at
least `MIN_COST_GAIN` lower (speedup). The holdout is checked separately, only for variants
that pass this gate, so it never steers the search; so are the generated-input check and,
for speed-ups, the timed confirmation (`evolve.acceptance.checks`).
"""

from __future__ import annotations

from dataclasses import dataclass

from evolve.task import Goal
from sandbox import Evaluation, Status

# A speed-up must cut the deterministic cost by at least this fraction: smaller gains are
# within what reordering a statement can shift and are not worth a reviewer's time.
MIN_COST_GAIN = 0.01

# Cost given to a variant whose cost could not be measured (it crashed, timed out...).
UNMEASURED_COST = 2**62

# Statuses that mean the variant ran to the end within its limits.
_WITHIN_LIMITS = frozenset({Status.OK, Status.FAILED})


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    reason: str


def judge(goal: Goal, champion: Evaluation, candidate: Evaluation) -> Verdict:
    if candidate.status not in _WITHIN_LIMITS:
        return Verdict(False, f"status {candidate.status.value}")
    lost = champion.passed_names - candidate.passed_names
    if lost:
        return Verdict(False, f"loses {len(lost)} test(s) the champion passes")
    if goal is Goal.REPAIR:
        if candidate.passed > champion.passed:
            return Verdict(True, f"passes {candidate.passed - champion.passed} more test(s)")
        return Verdict(False, "passes no more tests")
    if candidate.status is not Status.OK:
        return Verdict(False, "a speed-up must pass every test")
    if champion.cost is None or candidate.cost is None:
        return Verdict(False, "no cost measured")
    if candidate.cost <= champion.cost * (1 - MIN_COST_GAIN):
        return Verdict(True, f"cost {champion.cost} -> {candidate.cost}")
    return Verdict(False, "not measurably cheaper")


def at_least_as_good(
    goal: Goal, champion: Evaluation, candidate: Evaluation, reduced: Evaluation
) -> bool:
    """Whether `reduced` (the candidate with edits dropped) still passes the gate against the
    champion and is no worse than the candidate: as many tests (repair), no higher cost
    (speedup). Minimisation may make a change smaller, never weaker."""
    if not judge(goal, champion, reduced).accepted:
        return False
    if goal is Goal.REPAIR:
        return reduced.passed >= candidate.passed
    if reduced.cost is None or candidate.cost is None:
        return False
    return reduced.cost <= candidate.cost


def holdout_holds(champion: Evaluation | None, candidate: Evaluation) -> Verdict:
    """The holdout may not lose a test the champion passed."""
    if champion is None:
        return Verdict(True, "no holdout")
    lost = champion.passed_names - candidate.passed_names
    if lost:
        return Verdict(False, f"loses {len(lost)} holdout test(s)")
    return Verdict(True, "holdout holds")


def fitness_text(goal: Goal, evaluation: Evaluation) -> str:
    """How a fitness is shown to people: tests passed, and the cost for speed-ups."""
    text = f"{evaluation.passed}/{evaluation.total}"
    if goal is Goal.SPEEDUP and evaluation.cost is not None:
        text += f" cost {evaluation.cost}"
    return text
