"""From patches to evaluations: render, hash, look up the cache, run the rest in the sandbox.

An identical source is never run twice in a run: evaluations are keyed by the sha256 of the
variant's source, and every hit is counted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from evolve.constraints import Forbidden
from evolve.executor import Executor
from evolve.patch import Patch, patch_to_json
from evolve.program import Program
from evolve.store import RunStore
from evolve.task import Goal, Task
from sandbox import Evaluation, Sandbox, Suite

SEARCH = "search"
HOLDOUT = "holdout"


def source_hash(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Variant:
    patch: Patch
    source: str
    digest: str


class Evaluator:
    """Evaluates variants of one program against one task, through an executor."""

    def __init__(
        self,
        task: Task,
        program: Program,
        store: RunStore,
        executor: Executor,
        sandbox: Sandbox,
    ) -> None:
        self.task = task
        self.sandbox = sandbox
        self.program = program
        self.store = store
        self.executor = executor
        self.measure_cost = task.goal is Goal.SPEEDUP
        self.forbidden = Forbidden(task.forbid, program.source)
        self._cache: dict[tuple[str, str], Evaluation] = {}
        # Rendering is the engine's biggest cost per individual (libcst codegen, ~2 ms), and
        # most of a generation are patches seen before (elites, repeated offspring).
        self._variants: dict[Patch, Variant] = {}
        self.evaluations = 0  # sandbox runs of the search suite
        self.holdout_evaluations = 0
        self.cache_hits = 0

    def variant(self, patch: Patch) -> Variant:
        cached = self._variants.get(patch)
        if cached is None:
            source = self.program.render(patch)
            cached = self._variants[patch] = Variant(patch, source, source_hash(source))
        return cached

    def evaluate(
        self, variants: Sequence[Variant], generation: int, budget_left: int
    ) -> list[Evaluation | None]:
        """Search-suite evaluations in input order; None where the budget ran out first."""
        pending: dict[str, Variant] = {}
        for variant in variants:
            key = (variant.digest, SEARCH)
            if key in self._cache or variant.digest in pending:
                self.cache_hits += 1
            elif len(pending) < budget_left:
                pending[variant.digest] = variant
        fresh = self._run(list(pending.values()), self.task.suite, SEARCH, generation)
        self.evaluations += len(fresh)
        return [self._cache.get((v.digest, SEARCH)) for v in variants]

    def holdout(self, variant: Variant, generation: int) -> Evaluation | None:
        if self.task.holdout is None:
            return None
        cached = self._cache.get((variant.digest, HOLDOUT))
        if cached is not None:
            return cached
        self.holdout_evaluations += 1
        return self._run([variant], self.task.holdout, HOLDOUT, generation)[0]

    def _run(
        self, variants: list[Variant], suite: Suite, suite_name: str, generation: int
    ) -> list[Evaluation]:
        if not variants:
            return []

        def one(variant: Variant) -> Evaluation:
            denied = self.forbidden.check(variant.source)
            if denied is not None:
                return denied  # never reaches the sandbox
            return self.sandbox.evaluate(
                variant.source,
                suite,
                self.task.limits,
                module_name=self.task.module_name,
                measure_cost=self.measure_cost,
            )

        results = self.executor.map(one, variants)
        with self.store.transaction():
            for variant, evaluation in zip(variants, results, strict=True):
                self._cache[(variant.digest, suite_name)] = evaluation
                self.store.add_variant(variant.digest, variant.source, patch_to_json(variant.patch))
                self.store.add_evaluation(variant.digest, suite_name, generation, evaluation)
        return results
