"""The one place a variant becomes the champion: `Acceptor.consider` after each generation.

A variant is considered only if it passes the gate on the search's tests. Then, best first,
it must keep the holdout, pass the generated-input check, be minimised, and (speed-ups) be
confirmed by timing; the first that gets through is recorded as an `AcceptedChange`, sealed
into the hash chain, and becomes the champion. At most one a generation, ties to the earlier
individual, so the lineage depends only on the population's order.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from evolve import __version__
from evolve.acceptance.checks import AcceptanceChecks, Candidate
from evolve.acceptance.gate import UNMEASURED_COST, fitness_text, holdout_holds, judge
from evolve.evaluation.evaluator import Evaluator, Variant
from evolve.program.patch import patch_to_json
from evolve.program.program import Program
from evolve.store.chain import GENESIS, edits_json, evidence_json, seal
from evolve.store.database import AcceptedChange
from evolve.store.events import EventLog
from evolve.task import Task
from sandbox import Evaluation


@dataclass
class Champion:
    """The variant every candidate is judged against: the seed, then each accepted child."""

    variant: Variant
    evaluation: Evaluation
    holdout: Evaluation | None


class Member(Protocol):
    """What acceptance reads of an individual of the population: its evaluation, if it has
    one, and its number of edits (fewer wins a tie)."""

    @property
    def evaluation(self) -> Evaluation | None: ...

    def __len__(self) -> int: ...


def is_solved(champion: Champion) -> bool:
    """Every search test and every holdout test passes."""
    holdout_ok = champion.holdout is None or champion.holdout.failed == 0
    return champion.evaluation.failed == 0 and champion.evaluation.total > 0 and holdout_ok


class Acceptor:
    """Judges each generation's candidates and records the change it accepts.

    Its `state` is the checks' memory (candidates turned down are never judged again), so a
    resumed run accepts exactly what an uninterrupted one would.
    """

    def __init__(
        self,
        task: Task,
        program: Program,
        evaluator: Evaluator,
        rng: random.Random,
        *,
        budget: int,
        events: EventLog | None = None,
    ) -> None:
        self.task = task
        self.program = program
        self.evaluator = evaluator
        self.budget = budget
        self.events = events
        self.checks = AcceptanceChecks.create(task, evaluator, rng, task.confirm_runs)
        self.accepted: list[AcceptedChange] = []
        self.holdout_rejections = 0  # passed the gate on search tests, failed the holdout

    def state(self) -> dict[str, Any]:
        return self.checks.state()

    def restore(self, state: dict[str, Any]) -> None:
        self.checks.restore(state)

    def consider(
        self,
        champion: Champion,
        population: Sequence[Member],
        variants: Sequence[Variant],
        generation: int,
    ) -> Champion:
        """The new champion if a variant of `population` gets through, else `champion`."""
        for variant, evaluation in self._candidates(champion, population, variants):
            new = self._admit(champion, variant, evaluation, generation)
            if new is not None:
                return new
        return champion

    def _candidates(
        self, champion: Champion, population: Sequence[Member], variants: Sequence[Variant]
    ) -> list[tuple[Variant, Evaluation]]:
        """Variants that pass the gate, best first: most tests, lowest cost, fewest edits,
        then population order."""
        ranked = []
        for index, (individual, variant) in enumerate(zip(population, variants, strict=True)):
            evaluation = individual.evaluation
            if evaluation is None or variant.key == champion.variant.key:
                continue
            if self.checks.turned_down(variant):
                continue
            if judge(self.task.goal, champion.evaluation, evaluation).accepted:
                cost = evaluation.cost if evaluation.cost is not None else UNMEASURED_COST
                key = (-evaluation.passed, cost, len(individual), index)
                ranked.append((key, variant, evaluation))
        ranked.sort(key=lambda entry: entry[0])
        return [(variant, evaluation) for _, variant, evaluation in ranked]

    def _admit(
        self, champion: Champion, variant: Variant, evaluation: Evaluation, generation: int
    ) -> Champion | None:
        """The checks after the gate, in order; the new champion, or None if turned down."""
        holdout = self.evaluator.holdout(variant, generation)
        if holdout is not None:
            verdict = holdout_holds(champion.holdout, holdout)
            if not verdict.accepted:
                self.checks.overfitting.add(variant.key)
                self._reject_on_holdout(variant, holdout, verdict.reason, generation)
                return None
        verdict = self.checks.generated_holds(champion.variant, variant, generation)
        if not verdict.accepted:
            self._turn_down("overfitting_rejected", variant, verdict.reason, generation)
            return None
        minimised = self.checks.minimise(
            Candidate(champion.variant, champion.evaluation, champion.holdout),
            Candidate(variant, evaluation, holdout),
            generation,
            lambda v: self.evaluator.evaluate(
                [v], generation, self.budget - self.evaluator.evaluations
            )[0],
        )
        smallest = minimised.candidate
        confirmation = self.checks.confirm_speedup(champion.variant, smallest.variant, variant)
        if confirmation is not None and not confirmation.confirmed:
            reason = confirmation.reason
            self._turn_down("speedup_unconfirmed", smallest.variant, reason, generation)
            return None
        new = Champion(smallest.variant, smallest.evaluation, smallest.holdout)
        self._record(champion, new, generation, self.checks.evidence(minimised, confirmation))
        return new

    def _reject_on_holdout(
        self, variant: Variant, holdout: Evaluation, reason: str, generation: int
    ) -> None:
        self.holdout_rejections += 1
        if self.events is not None:
            self.events.emit(
                "holdout_rejected",
                generation=generation,
                variant=variant.digest,
                reason=reason,
                holdout=fitness_text(self.task.goal, holdout),
            )

    def _turn_down(self, event: str, variant: Variant, reason: str, generation: int) -> None:
        if self.events is not None:
            self.events.emit(event, generation=generation, variant=variant.digest, reason=reason)

    def _record(
        self, old: Champion, new: Champion, generation: int, checks: dict[str, Any] | None = None
    ) -> None:
        """Seal the change into the chain. It is stored and announced with the generation's
        checkpoint, in one transaction, by the search."""
        old_edits = set(old.variant.patch)
        new_edits = tuple(e for e in new.variant.patch if e not in old_edits)
        operators = tuple(e.operator for e in new_edits)
        goal = self.task.goal
        change = AcceptedChange(
            number=len(self.accepted) + 1,
            generation=generation,
            evaluations=self.evaluator.evaluations,
            parent=old.variant.digest,
            child=new.variant.digest,
            patch=patch_to_json(new.variant.patch),
            operators=operators,
            diff=self.program.diff(old.variant.source, new.variant.source),
            fitness_before=fitness_text(goal, old.evaluation),
            fitness_after=fitness_text(goal, new.evaluation),
            tests_gained=tuple(sorted(new.evaluation.passed_names - old.evaluation.passed_names)),
            created_at=time.time(),
            edits=edits_json(self.program, new_edits),
            evidence=evidence_json(
                old.evaluation, new.evaluation, old.holdout, new.holdout, checks
            ),
            layers=new.evaluation.layers,
            engine_version=__version__,
        )
        change = seal(change, self.accepted[-1].hash if self.accepted else GENESIS)
        self.accepted.append(change)


__all__ = ["Acceptor", "Champion", "is_solved"]
