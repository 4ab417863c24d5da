"""The generated-input check a candidate must pass, after the holdout, before acceptance.

The inputs are drawn once per run (`evolve.acceptance.generated`), the first time a candidate
gets this far, so a run that never finds one never pays for Hypothesis. For a speed-up the
seed's answers are the expected values (differential testing); for a repair a candidate must
return a value wherever the seed or the current champion does.
"""

from __future__ import annotations

import dataclasses
import math
import random

from evolve.acceptance.gate import Verdict
from evolve.acceptance.generated import (
    DEFAULT_INPUTS,
    GENERATED,
    answered,
    differential_suite,
    generate_inputs,
    input_suite,
)
from evolve.evaluation.evaluator import Evaluator, Variant
from evolve.task import Goal, Task
from sandbox import CaseSuite, Evaluation, Limits


def check_seed(rng: random.Random) -> int:
    """A seed for Hypothesis derived from the run's generator without drawing from it, so
    adding the check does not change which variants the search breeds."""
    copy = random.Random()
    copy.setstate(rng.getstate())
    return copy.getrandbits(32)


class GeneratedCheck:
    def __init__(
        self, task: Task, evaluator: Evaluator, seed_variant: Variant, run_seed: int
    ) -> None:
        self.task = task
        self.evaluator = evaluator
        self.seed_variant = seed_variant
        self.run_seed = run_seed
        self.count = DEFAULT_INPUTS
        self._prepared = False
        self._inputs: CaseSuite | None = None  # generated inputs, no expectations
        self._suite: CaseSuite | None = None  # what candidates run: differential or inputs
        self._limits = task.limits
        self._seed_answers: frozenset[str] = frozenset()

    @property
    def inputs(self) -> int:
        return 0 if self._suite is None else len(self._suite.cases)

    def verdict(self, champion: Variant, candidate: Variant, generation: int) -> Verdict:
        self._prepare(generation)
        if self._suite is None or not self._suite.cases:
            return Verdict(True, "no generated inputs")
        result = self._run(candidate, generation)
        if self.task.goal is Goal.SPEEDUP:
            wrong = [t for t in result.tests if not t.passed]
            if wrong or result.total != len(self._suite.cases):
                first = f": {wrong[0].name} {wrong[0].detail}" if wrong else ""
                return Verdict(
                    False, f"differs from the seed on {len(wrong)} generated input(s){first}"
                )
            return Verdict(True, f"agrees with the seed on {result.total} generated inputs")
        safe = self._seed_answers | answered(self._run(champion, generation), self._suite)
        lost = sorted(safe - answered(result, self._suite))
        if lost:
            return Verdict(
                False,
                f"raises on {len(lost)} generated input(s) the seed or champion answers"
                f" (first {lost[0]})",
            )
        return Verdict(True, f"answers all {len(safe)} generated inputs the champion answers")

    def _run(self, variant: Variant, generation: int) -> Evaluation:
        assert self._suite is not None
        return self.evaluator.check(variant, self._suite, GENERATED, self._limits, generation)

    def _prepare(self, generation: int) -> None:
        if self._prepared:
            return
        self._prepared = True
        suite = self.task.suite
        if not isinstance(suite, CaseSuite):
            return  # a pytest suite's inputs are code, not data to vary
        inputs = generate_inputs(suite.cases, self.count, self.run_seed)
        if not inputs:
            return
        self._inputs = input_suite(suite.entry, inputs)
        self._limits = _scaled_limits(self.task.limits, len(inputs), len(suite.cases))
        # A repair's candidates run the same suite as the seed: one name shares the cache.
        name = GENERATED if self.task.goal is Goal.REPAIR else f"{GENERATED}-seed"
        reference = self.evaluator.check(
            self.seed_variant, self._inputs, name, self._limits, generation
        )
        self._seed_answers = answered(reference, self._inputs)
        if self.task.goal is Goal.SPEEDUP:
            self._suite = differential_suite(self._inputs, reference, suite.float_tolerance)
        else:
            self._suite = self._inputs


def _scaled_limits(limits: Limits, inputs: int, cases: int) -> Limits:
    """The task's limits are for its cases; more inputs get proportionally more time, and
    each input keeps the per-case limit a case has."""
    factor = max(1.0, inputs / max(1, cases))
    return dataclasses.replace(
        limits,
        wall_s=math.ceil(limits.wall_s * factor),
        cpu_s=math.ceil(limits.cpu_s * factor),
        case_s=limits.case_timeout_s,
    )
