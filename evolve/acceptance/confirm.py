"""Timed confirmation of a speed-up: the search's cost does not wobble, but it is a proxy.

The search ranks speed-ups by executed lines, which a variant can cut without getting faster
(or while getting slower: a comprehension runs fewer traced lines and may do the same work).
Before a speed-up is accepted, parent and child run alternately, `runs` times each, on the
task's cases without tracing, timed in the child around the calls only; the child must be
faster by a one-sided Mann-Whitney U test (no assumption about the shape of the timing noise,
which on a shared machine is anything but normal) and by a median ratio worth a reviewer's
time.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from evolve.evaluation.evaluator import Evaluator, Variant
from sandbox import CaseSuite, Evaluation, Limits, Status, Suite

DEFAULT_RUNS = 20
# A first look with a p-value under this (and the ratio needed) is worth a second batch.
_PROMISING = 0.2
SIGNIFICANCE = 0.01
# A gain below this is not worth a reviewer's time, and it guards the test's false
# positives: a run confirms many candidates, and at p < 0.01 one in a hundred equal pairs
# looks significant, typically by a ratio of 1.1 or so on noisy timings (seen in tests).
MIN_SPEEDUP = 1.25
# The cases run once per timed run, never repeated within one: a repeat would find a
# memoised variant's cache warm and credit it with work the task's workload never saves.


@dataclass(frozen=True)
class Confirmation:
    confirmed: bool
    ratio: float  # median parent time over median child time
    p_value: float
    parent_s: tuple[float, ...]
    child_s: tuple[float, ...]
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "confirmed": self.confirmed,
            "ratio": round(self.ratio, 4),
            "p_value": float(f"{self.p_value:.3g}"),
            "runs": len(self.parent_s),
            "parent_median_s": round(statistics.median(self.parent_s), 6) if self.parent_s else 0,
            "child_median_s": round(statistics.median(self.child_s), 6) if self.child_s else 0,
            "test": "Mann-Whitney U, one-sided",
        }


def judge_timings(
    parent: Sequence[float],
    child: Sequence[float],
    *,
    alpha: float = SIGNIFICANCE,
    min_ratio: float = MIN_SPEEDUP,
) -> Confirmation:
    """Whether `child`'s times are significantly and sufficiently below `parent`'s."""
    # Imported here: scipy.stats takes about a second, and only speed-ups are ever timed.
    from scipy.stats import mannwhitneyu

    if len(parent) < 2 or len(child) < 2:
        return Confirmation(False, 1.0, 1.0, tuple(parent), tuple(child), reason="too few runs")
    child_median = statistics.median(child)
    ratio = statistics.median(parent) / child_median if child_median > 0 else math.inf
    p_value = float(mannwhitneyu(parent, child, alternative="greater").pvalue)
    confirmed = p_value < alpha and ratio >= min_ratio
    if confirmed:
        reason = f"{ratio:.2f}x faster (p = {p_value:.2g})"
    elif p_value >= alpha:
        reason = f"not significantly faster ({ratio:.2f}x, p = {p_value:.2g})"
    else:
        reason = f"faster by only {ratio:.2f}x (p = {p_value:.2g}; at least {min_ratio}x needed)"
    return Confirmation(confirmed, ratio, p_value, tuple(parent), tuple(child), reason=reason)


def timing_suite(suites: Sequence[Suite | None]) -> CaseSuite | None:
    """The cases of every case suite the task has, as one suite to time."""
    cases = [c for s in suites if isinstance(s, CaseSuite) for c in s.cases]
    first = next((s for s in suites if isinstance(s, CaseSuite)), None)
    if first is None or not cases:
        return None
    return CaseSuite(entry=first.entry, cases=tuple(cases), float_tolerance=first.float_tolerance)


def confirm(
    evaluator: Evaluator,
    parent: Variant,
    child: Variant,
    suite: CaseSuite,
    limits: Limits,
    runs: int = DEFAULT_RUNS,
) -> Confirmation:
    """Time parent and child alternately, `runs` times each, and judge the timings.

    A promising but inconclusive first look (the ratio is there, the significance is not:
    a busy machine) earns a second batch of as many runs, judged with the first. Each look
    is tested at half the significance level, so the two together keep it (Bonferroni).
    """
    times: dict[str, list[float]] = {"parent": [], "child": []}
    alpha = SIGNIFICANCE / 2
    result = Confirmation(False, 1.0, 1.0, (), (), "not timed")
    for _look in range(2):
        for run in range(runs):
            # Each pair swaps its order, so a machine getting busier or quieter during the
            # runs weighs on both sides alike.
            order = (("parent", parent), ("child", child))
            for name, variant in order if run % 2 == 0 else reversed(order):
                seconds = _seconds(evaluator.timed(variant, suite, limits))
                if seconds is None:
                    return Confirmation(False, 1.0, 1.0, (), (), f"the {name} failed a timed run")
                times[name].append(seconds)
        result = judge_timings(times["parent"], times["child"], alpha=alpha)
        if result.confirmed or result.ratio < MIN_SPEEDUP or result.p_value >= _PROMISING:
            break
    return result


def _seconds(evaluation: Evaluation) -> float | None:
    if evaluation.status is not Status.OK:
        return None
    return evaluation.case_s if evaluation.case_s is not None else evaluation.wall_s
