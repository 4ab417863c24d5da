"""Fault localisation: which sites of the seed deserve the search's edits.

The seed runs once, in the sandbox, recording per case which of its lines ran and how often.
For a repair, a line gets its Ochiai suspiciousness: lines that failing cases run and passing
cases do not are the likeliest home of the bug. For a speed-up, a line gets its share of the
work: hot lines are where a cheaper program differs. A site weighs what its hottest or most
suspicious line scores, never less than a floor, so no edit becomes impossible: localisation
is a guess, and a bug on a line every case runs must stay reachable. In a large program the
floor is lowered until the sites at it take a fifth of the draws together.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from evolve.evaluation.case_plan import plan_cases
from evolve.program.program import Program
from evolve.task import Goal, Task
from sandbox import CasePlan, CaseSuite, Evaluation, ProgramSource, evaluate

# The least a site weighs, relative to the most suspicious or hottest site's 1.0.
FLOOR = 0.05
# The most of the draws the sites at the floor take together. In a module of 589 sites
# (inflection's) with 17 suspicious ones, the floor alone drew 55% of the edits: the more code
# a program has beyond the failing lines, the less the search would look at them. Widening
# (`evolve.search.widening`) draws sites uniformly when localisation was wrong.
FLOOR_SHARE = 0.2
# Tracing every line is several times slower than running: the one localisation run gets
# this much more time than an evaluation, so a slow seed still reports its coverage.
SLACK = 10.0

# A site on the lines of a deciding condition (`evolve.search.switching`) outweighs every
# other site by this factor: a program that passes more tests once the condition is negated is
# stronger evidence than a spectrum, which cannot separate lines that every test runs.
BOOST = 4.0

Coverage = Sequence[Mapping[int, int]]  # per case: line -> times it ran


def ochiai(coverage: Coverage, failed: Sequence[bool]) -> dict[int, float]:
    """Ochiai suspiciousness of every line some case ran: ef / sqrt(F * (ef + ep)), where ef
    and ep count failing and passing cases that ran the line and F counts failing cases."""
    total_failed = sum(1 for f in failed if f)
    executed_failing: dict[int, int] = {}
    executed_passing: dict[int, int] = {}
    for lines, fails in zip(coverage, failed, strict=True):
        counter = executed_failing if fails else executed_passing
        for line in lines:
            counter[line] = counter.get(line, 0) + 1
    scores = {}
    for line in executed_failing.keys() | executed_passing.keys():
        ef, ep = executed_failing.get(line, 0), executed_passing.get(line, 0)
        denominator = math.sqrt(total_failed * (ef + ep))
        scores[line] = ef / denominator if denominator else 0.0
    return scores


def hotness(coverage: Coverage) -> dict[int, float]:
    """Each line's share of the work on a log scale, 1.0 for the hottest: a loop's header
    matters nearly as much as its body, and linear counts would leave it at the floor."""
    totals: dict[int, int] = {}
    for lines in coverage:
        for line, count in lines.items():
            totals[line] = totals.get(line, 0) + count
    top = max(totals.values(), default=0)
    if top <= 0:
        return {}
    return {line: math.log1p(count) / math.log1p(top) for line, count in totals.items()}


def site_weights(
    program: Program, line_scores: Mapping[int, float], floor: float = FLOOR
) -> dict[str, float]:
    """Each site's weight: the best score among the lines it spans, rescaled so the best site
    weighs 1.0, and never below `floor` but where the floor's sites would take more than
    `FLOOR_SHARE` of the draws together (`capped`)."""
    raw = {
        site.address: max((line_scores.get(line, 0.0) for line in site.lines), default=0.0)
        for site in program.sites
    }
    top = max(raw.values(), default=0.0)
    if top <= 0:
        return {address: 1.0 for address in raw}  # nothing to go on: every site alike
    return capped({address: max(floor, score / top) for address, score in raw.items()}, floor)


def capped(weights: Mapping[str, float], floor: float) -> dict[str, float]:
    """`weights` with the sites at the floor scaled down together, if need be, so that they
    take at most `FLOOR_SHARE` of the draws."""
    low = sum(weight for weight in weights.values() if weight <= floor)
    high = sum(weights.values()) - low
    limit = FLOOR_SHARE / (1.0 - FLOOR_SHARE) * high
    if low <= limit or high <= 0:
        return dict(weights)
    scale = limit / low
    return {a: weight * scale if weight <= floor else weight for a, weight in weights.items()}


def line_scores(goal: Goal, evaluation: Evaluation) -> dict[int, float]:
    """Per-line scores from a coverage run; empty when there is nothing to localise on."""
    if evaluation.coverage is None:
        return {}
    coverage = [dict(case) for case in evaluation.coverage]
    if goal is Goal.SPEEDUP:
        return hotness(coverage)
    # Cases missing after an early stop (a memory error) did not run: leave them out.
    failed = [not test.passed for test in evaluation.tests[: len(coverage)]]
    if not any(failed):
        return {}
    return ochiai(coverage[: len(failed)], failed)


def coverage_run(
    task: Task, source: ProgramSource, seed: Evaluation | None = None
) -> Evaluation | None:
    """Run `source` once with coverage, in a fresh sandbox process; None for a pytest suite
    (per-test coverage is only recorded for case suites).

    With `seed`, the program's own untraced evaluation, each case gets a CPU limit from its
    time there, with `SLACK` for the tracing; a case that hung there gets the short limit a
    hanging variant gets (a hang's lines show in its first milliseconds), so a seed that hangs
    on every case costs milliseconds a case here too, not `SLACK` times the task's limit."""
    suite = task.suite
    if not isinstance(suite, CaseSuite):
        return None
    limits = task.limits
    generous = replace(
        limits,
        wall_s=limits.wall_s * SLACK,
        cpu_s=limits.cpu_s * SLACK,
        case_s=limits.case_timeout_s * SLACK,
    )
    plan = None if seed is None else plan_cases(suite, seed, limits.case_timeout_s)
    if plan is not None:
        hung = [test.outcome == "timeout" for test in seed.tests] if seed is not None else []
        cpu_s = tuple(s if hang else s * SLACK for s, hang in zip(plan.cpu_s, hung, strict=True))
        suite = replace(suite, plan=CasePlan(cpu_s=cpu_s))
    return evaluate(
        source,
        suite,
        generous,
        module_name=task.module_name,
        measure_coverage=True,
    )


@dataclass
class Localisation:
    """Site weights for mutation, computed once per run from the seed's coverage.

    `weights` is None until computed (or restored from a checkpoint); None from `mutation_weights`
    means every site alike.
    """

    enabled: bool = True
    # The least a site weighs (`SearchSettings.localisation_floor`); fixed for a run, and used
    # only when the weights are computed, so a checkpoint need not hold it.
    floor: float = FLOOR
    weights: dict[str, float] | None = None
    top_lines: list[int] = field(default_factory=list)  # most suspicious or hottest first
    deciding: list[int] = field(default_factory=list)  # lines of conditions that decide failures
    # The weights as the spectrum gave them, before `favour`; None until favoured.
    spectrum: dict[str, float] | None = None

    def compute(
        self,
        task: Task,
        program: Program,
        seed: Evaluation | None = None,
        coverage: Evaluation | None = None,
    ) -> None:
        """Localise on the seed unless done already (a restored run keeps its weights);
        `seed` is its evaluation, whose case times bound the coverage run's. `coverage` is a
        coverage run made already (a pytest suite's, per test)."""
        if not self.enabled or self.weights is not None:
            return
        evaluation = coverage or coverage_run(task, program.runnable(program.source), seed)
        scores = {} if evaluation is None else line_scores(task.goal, evaluation)
        self.weights = site_weights(program, scores, self.floor)
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        self.top_lines = [line for line, _ in ranked[:10]]

    def favour(self, program: Program, lines: Collection[int]) -> None:
        """Sites that start on `lines`, the deciding conditions' lines, weigh 1.0; every
        other site `BOOST` times less than it did, never below the floor."""
        if not lines or self.weights is None:
            return
        weights = self.weights
        self.spectrum = dict(weights)
        favoured = {
            site.address: 1.0
            if site.lines.start in lines
            else max(self.floor, weights.get(site.address, 1.0) / BOOST)
            for site in program.sites
        }
        self.weights = capped(favoured, self.floor)
        self.deciding = sorted(lines)

    def mutation_weights(self) -> dict[str, float] | None:
        return self.weights if self.enabled else None

    def sweep_weights(self) -> dict[str, float] | None:
        """The weights for the sweep of single edits (`evolve.search.sweeping`): the
        spectrum's, not favoured. A deciding condition is a guess at where the fix is, and the
        draws follow it; the sweep tries edits in turn, and in that order a 4-times demotion
        puts a spectrum-top line hundreds of edits back. A two-defect `longest_streak`
        (`min` for `max` on the line after an if/else whose condition decides failures) had
        its fix about the 400th single edit favoured and 210th not, and falling further
        back as the fix templates weighed in; the probes have tried the negated conditions
        already."""
        if not self.enabled:
            return None
        return self.spectrum if self.spectrum is not None else self.weights

    def state(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "weights": self.weights,
            "top_lines": self.top_lines,
            "deciding": self.deciding,
            "spectrum": self.spectrum,
        }

    def restore(self, state: dict[str, Any]) -> None:
        self.enabled = bool(state["enabled"])
        weights = state.get("weights")
        self.weights = None if weights is None else {str(k): float(v) for k, v in weights.items()}
        self.top_lines = [int(line) for line in state.get("top_lines", [])]
        self.deciding = [int(line) for line in state.get("deciding", [])]
        # A checkpoint from before the spectrum was kept sweeps by the favoured weights.
        spectrum = state.get("spectrum")
        self.spectrum = (
            None if spectrum is None else {str(k): float(v) for k, v in spectrum.items()}
        )
