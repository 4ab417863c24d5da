"""The generated-input check a candidate must pass, after the holdout, before acceptance.

The inputs are drawn once per run (`evolve.acceptance.generated`), the first time a candidate
gets this far, so a run that never finds one never pays for Hypothesis: not even its import,
which takes a few tenths of a second. For a speed-up the
seed's answers are the expected values (differential testing); for a repair a candidate must
return a value wherever the seed or the current champion does.
"""

from __future__ import annotations

import dataclasses
import json
import math
import random
from collections.abc import Sequence
from typing import Any

from evolve.acceptance.gate import Verdict
from evolve.evaluation.evaluator import Evaluator, Variant
from evolve.task import Goal, Task
from sandbox import Case, CaseSuite, Evaluation, Limits

DEFAULT_INPUTS = 40
GENERATED = "generated"  # the suite's name in the store and in the evidence


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
        from evolve.acceptance.generated import generate_inputs  # Hypothesis, on first use

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


def input_suite(entry: str, inputs: Sequence[tuple[tuple[Any, ...], dict[str, Any]]]) -> CaseSuite:
    """The generated inputs with no expectation, keeping outputs: run the seed on it."""
    cases = tuple(
        Case(name=f"generated[{i}]", args=args, kwargs=kwargs)
        for i, (args, kwargs) in enumerate(inputs)
    )
    return CaseSuite(entry=entry, cases=cases, keep_outputs=True)


def differential_suite(reference: CaseSuite, outputs: Evaluation, tolerance: float) -> CaseSuite:
    """The reference program's answers as expected values, where it gave one."""
    cases = tuple(
        Case(name=case.name, args=case.args, kwargs=case.kwargs, expected=json.loads(output))
        for case, output in zip(reference.cases, _padded(outputs, reference), strict=True)
        if output is not None
    )
    return CaseSuite(entry=reference.entry, cases=cases, float_tolerance=tolerance)


def answered(evaluation: Evaluation, suite: CaseSuite) -> frozenset[str]:
    """The generated inputs a program returned a value on (it did not raise or time out)."""
    return frozenset(
        case.name
        for case, output in zip(suite.cases, _padded(evaluation, suite), strict=True)
        if output is not None
    )


def _padded(evaluation: Evaluation, suite: CaseSuite) -> tuple[str | None, ...]:
    outputs = evaluation.outputs
    return outputs + (None,) * (len(suite.cases) - len(outputs))
