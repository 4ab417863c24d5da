"""Generated inputs in acceptance: a check for speed-ups, a profile for repairs.

The inputs are drawn once per run (`evolve.acceptance.generated`), the first time a candidate
gets this far, so a run that never finds one never pays for Hypothesis: not even its import,
which takes a few tenths of a second. For a speed-up the seed's answers are the expected
values (differential testing): a candidate must agree. For a repair the seed is wrong
somewhere and the inputs may break a precondition the cases never state (a graph whose edges
name a node it lacks), where a correct repair may rightly raise: no verdict can be sound, so
a candidate's answers on them are only recorded, and compared with the seed's and the other
candidates' when plausible repairs are ranked (`evolve.acceptance.plausible`).
"""

from __future__ import annotations

import dataclasses
import json
import math
import random
from collections.abc import Sequence
from typing import Any

from evolve.acceptance.gate import Verdict
from evolve.evaluation.case_plan import typical_limit
from evolve.evaluation.evaluator import SEARCH, Evaluator, Variant
from evolve.task import Goal, Task
from sandbox import Case, CasePlan, CaseSuite, Evaluation, Limits

# A repair's inputs only profile candidates, so more of them cost little (they run once per
# plausible candidate) and separate more ties: with 40, no input told `day_of_year`'s missing
# month length inserted at July from one inserted at May, since only month 7 separates them.
REPAIR_INPUTS = 100
# A speed-up's differential check runs on every accepted improvement, and the seed answers
# each input once first: a slow seed pays for every input.
DIFFERENTIAL_INPUTS = 40
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
        self.count = REPAIR_INPUTS if task.goal is Goal.REPAIR else DIFFERENTIAL_INPUTS
        self._prepared = False
        self._inputs: CaseSuite | None = None  # generated inputs, no expectations
        self._suite: CaseSuite | None = None  # what candidates run: differential or inputs
        self._limits = task.limits
        self._seed_outputs: tuple[str | None, ...] = ()

    @property
    def inputs(self) -> int:
        return 0 if self._suite is None else len(self._suite.cases)

    @property
    def suite(self) -> CaseSuite | None:
        """The generated inputs, once drawn (repairs: without expected values)."""
        return self._inputs

    def verdict(self, champion: Variant, candidate: Variant, generation: int) -> Verdict:
        """A speed-up's differential check: the seed's answer on every input it answers."""
        self._prepare(generation)
        if self._suite is None or not self._suite.cases:
            return Verdict(True, "no generated inputs")
        result = self._run(candidate, generation)
        wrong = [t for t in result.tests if not t.passed]
        if wrong or result.total != len(self._suite.cases):
            first = f": {wrong[0].name} {wrong[0].detail}" if wrong else ""
            return Verdict(
                False, f"differs from the seed on {len(wrong)} generated input(s){first}"
            )
        return Verdict(True, f"agrees with the seed on {result.total} generated inputs")

    def outputs(
        self, variant: Variant, evaluation: Evaluation, generation: int
    ) -> tuple[str | None, ...]:
        """What `variant` returns on each generated input (raw JSON; None where it raised or
        hung), or () when there are none. Each input gets a CPU limit from the variant's own
        times on the cases (`evaluation`), so a hanging candidate costs milliseconds."""
        self._prepare(generation)
        if self._inputs is None or not self._inputs.cases:
            return ()
        limit = typical_limit(evaluation, self.task.limits.case_timeout_s)
        suite = dataclasses.replace(
            self._inputs, plan=CasePlan(cpu_s=(limit,) * len(self._inputs.cases))
        )
        result = self.evaluator.check(variant, suite, GENERATED, self._limits, generation)
        return result.outputs + (None,) * (len(suite.cases) - len(result.outputs))

    def seed_outputs(self, generation: int) -> tuple[str | None, ...]:
        """The seed's answers on the generated inputs, () when there are none."""
        self._prepare(generation)
        return self._seed_outputs

    def _run(self, variant: Variant, generation: int) -> Evaluation:
        assert self._suite is not None
        return self.evaluator.check(variant, self._suite, GENERATED, self._limits, generation)

    def _prepare(self, generation: int) -> None:
        if self._prepared:
            return
        self._prepared = True
        suite = self.task.suite
        tolerance = 0.0
        if isinstance(suite, CaseSuite):
            from evolve.acceptance.generated import generate_inputs  # Hypothesis, on first use

            inputs = generate_inputs(suite.cases, self.count, self.run_seed)
            if not inputs:
                return
            self._inputs = input_suite(suite.entry, inputs)
            tolerance = suite.float_tolerance
            self._limits = _scaled_limits(self.task.limits, len(inputs), len(suite.cases))
        else:
            from evolve.acceptance.generated import recorded_input_suite

            # A pytest suite: inputs shaped like what its tests passed the program's
            # functions in the seed's run (`PytestSetup.calls`).
            calls = self.evaluator.pytest.calls
            self._inputs = recorded_input_suite(calls, self._functions(), self.count, self.run_seed)
            if self._inputs is None:
                return
            recorded = sum(len(v) for v in calls.values())
            self._limits = _scaled_limits(self.task.limits, len(self._inputs.cases), recorded)
        seed_evaluation = self.evaluator.cached(self.seed_variant, SEARCH)
        if self.task.goal is Goal.REPAIR and seed_evaluation is not None:
            # Candidates run the same suite: one name shares the cache.
            self._seed_outputs = self.outputs(self.seed_variant, seed_evaluation, generation)
            self._suite = self._inputs
            return
        reference = self.evaluator.check(
            self.seed_variant, self._inputs, f"{GENERATED}-seed", self._limits, generation
        )
        self._seed_outputs = _padded(reference, self._inputs)
        if self.task.goal is Goal.SPEEDUP:
            self._suite = differential_suite(self._inputs, reference, tolerance)

    def _functions(self) -> list[str] | None:
        """The functions of a pytest task that get generated inputs: the entry and the
        editable functions when the task names them, else every function its tests call."""
        named = [self.task.entry] if self.task.entry else []
        named += [f for f in self.task.editable or () if "." not in f]
        return named or None


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
        Case(
            name=case.name,
            args=case.args,
            kwargs=case.kwargs,
            expected=json.loads(output),
            entry=case.entry,
        )
        for case, output in zip(reference.cases, _padded(outputs, reference), strict=True)
        if output is not None
    )
    return CaseSuite(entry=reference.entry, cases=cases, float_tolerance=tolerance)


def _padded(evaluation: Evaluation, suite: CaseSuite) -> tuple[str | None, ...]:
    outputs = evaluation.outputs
    return outputs + (None,) * (len(suite.cases) - len(outputs))
