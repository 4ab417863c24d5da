"""The checks a candidate meets between passing the gate on the search's cases and acceptance.

The holdout (`holdout_holds`), for speed-ups the generated-input differential check,
minimisation of its new edits, and for speed-ups a timed confirmation; what they remember,
so a resumed run never judges a candidate twice. A candidate that passes the cases but fails
the holdout or the differential check is *plausible but overfitting*: counted, logged and
never accepted. A speed-up the executed-line cost promises but timing does not confirm is
counted as unconfirmed and never accepted. The search itself never sees any of this: only
acceptance (`evolve.acceptance.acceptor`) does.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from evolve.acceptance.confirm import DEFAULT_RUNS, Confirmation, confirm, timing_suite
from evolve.acceptance.gate import Verdict, at_least_as_good, holdout_holds
from evolve.acceptance.minimise import minimise_patch
from evolve.acceptance.overfitting import GeneratedCheck, check_seed
from evolve.evaluation.evaluator import Evaluator, Variant
from evolve.program.patch import Patch
from evolve.task import Goal, Task
from sandbox import Evaluation


@dataclass(frozen=True)
class Candidate:
    variant: Variant
    evaluation: Evaluation
    holdout: Evaluation | None


@dataclass
class Minimised:
    candidate: Candidate
    edits_before: int
    edits_after: int


@dataclass
class AcceptanceChecks:
    task: Task
    evaluator: Evaluator
    generated: GeneratedCheck
    confirm_runs: int = DEFAULT_RUNS
    # Programs (by normalised source) turned down after the gate, counted in the summary.
    overfitting: set[str] = field(default_factory=set)
    unconfirmed: set[str] = field(default_factory=set)
    # Candidates turned down, whatever they minimised to: never tried again. A timing is
    # kept per (parent, child): the same pair is not timed twice.
    _skip: set[str] = field(default_factory=set)
    _timings: dict[tuple[str, str], Confirmation] = field(default_factory=dict)

    @classmethod
    def create(
        cls, task: Task, evaluator: Evaluator, rng: random.Random, runs: int = DEFAULT_RUNS
    ) -> AcceptanceChecks:
        seed = evaluator.variant(())
        check = GeneratedCheck(task, evaluator, seed, check_seed(rng))
        return cls(task, evaluator, check, runs)

    def state(self) -> dict[str, Any]:
        """What a resumed run must remember: candidates already turned down are not judged
        (or timed) again, so counts and lineage go on as if the run had never stopped."""
        return {
            "overfitting": sorted(self.overfitting),
            "unconfirmed": sorted(self.unconfirmed),
            "skip": sorted(self._skip),
            "timings": [
                [parent, child, _confirmation_state(result)]
                for (parent, child), result in sorted(self._timings.items())
            ],
        }

    def restore(self, state: dict[str, Any]) -> None:
        self.overfitting = set(state["overfitting"])
        self.unconfirmed = set(state["unconfirmed"])
        self._skip = set(state["skip"])
        self._timings = {
            (parent, child): Confirmation(
                confirmed=bool(saved["confirmed"]),
                ratio=float(saved["ratio"]),
                p_value=float(saved["p_value"]),
                parent_s=tuple(saved["parent_s"]),
                child_s=tuple(saved["child_s"]),
                reason=str(saved["reason"]),
            )
            for parent, child, saved in state["timings"]
        }

    def turned_down(self, variant: Variant) -> bool:
        return variant.key in self.overfitting or variant.key in self._skip

    def skip(self, variant: Variant) -> None:
        """Never consider `variant` again (a plausible repair already collected, say)."""
        self._skip.add(variant.key)

    def generated_holds(self, champion: Variant, candidate: Variant, generation: int) -> Verdict:
        verdict = self.generated.verdict(champion, candidate, generation)
        if not verdict.accepted:
            self.overfitting.add(candidate.key)
        return verdict

    def minimise(
        self,
        champion: Candidate,
        candidate: Candidate,
        generation: int,
        evaluate: Callable[[Variant], Evaluation | None],
        keeps: Callable[[Variant, Evaluation], bool] | None = None,
    ) -> Minimised:
        """The candidate with only the new edits it needs: every smaller patch tried must
        pass the gate and the holdout with fitness at least as good, and `keeps` (what else
        the candidate must keep: a speed-up's agreement with the seed, a plausible repair's
        answers on the generated inputs)."""
        goal = self.task.goal
        tried: dict[Patch, Candidate] = {}

        def holds(patch: Patch) -> bool:
            variant = self.evaluator.variant(patch)
            if variant.key == candidate.variant.key:  # the same program with fewer edits
                tried[patch] = Candidate(variant, candidate.evaluation, candidate.holdout)
                return True
            evaluation = evaluate(variant)
            if evaluation is None:  # out of budget: keep what we have
                return False
            if not at_least_as_good(goal, champion.evaluation, candidate.evaluation, evaluation):
                return False
            holdout = self.evaluator.holdout(variant, generation)
            if holdout is not None and not holdout_holds(champion.holdout, holdout).accepted:
                return False
            if keeps is not None and not keeps(variant, evaluation):
                return False
            tried[patch] = Candidate(variant, evaluation, holdout)
            return True

        before = _new_edits(champion.variant.patch, candidate.variant.patch)
        if before < 2:
            return Minimised(candidate, before, before)
        patch, needed = minimise_patch(champion.variant.patch, candidate.variant.patch, holds)
        smaller = tried.get(patch, candidate)
        return Minimised(smaller, before, len(needed) if patch in tried else before)

    def confirm_speedup(
        self, parent: Variant, child: Variant, candidate: Variant
    ) -> Confirmation | None:
        """None for repairs; for speed-ups, the timed confirmation of `child` (`candidate`
        minimised) over `parent`, counted when it fails."""
        if self.task.goal is not Goal.SPEEDUP:
            return None
        suite = timing_suite((self.task.suite, self.task.holdout))
        if suite is None:  # a pytest suite has no cases to time
            return None
        result = self._timings.get((parent.key, child.key))
        if result is None:
            result = confirm(
                self.evaluator, parent, child, suite, self.task.limits, self.confirm_runs
            )
            self._timings[(parent.key, child.key)] = result
        if not result.confirmed:
            self.unconfirmed.add(child.key)
            self._skip.add(candidate.key)
        return result

    def evidence(self, minimised: Minimised, confirmation: Confirmation | None) -> dict[str, Any]:
        """What the checks add to an accepted change's evidence."""
        checks: dict[str, Any] = {
            "generated_inputs": self.generated.inputs,
            "minimised": {
                "edits_before": minimised.edits_before,
                "edits_after": minimised.edits_after,
            },
        }
        if confirmation is not None:
            checks["timing"] = confirmation.to_json()
        return checks


def _confirmation_state(result: Confirmation) -> dict[str, Any]:
    return {
        "confirmed": result.confirmed,
        "ratio": result.ratio,
        "p_value": result.p_value,
        "parent_s": list(result.parent_s),
        "child_s": list(result.child_s),
        "reason": result.reason,
    }


def _new_edits(parent: Patch, child: Patch) -> int:
    """How many of the child's edits the parent does not have (counted with repeats)."""
    unclaimed = Counter(parent)
    new = 0
    for edit in child:
        if unclaimed[edit] > 0:
            unclaimed[edit] -= 1
        else:
            new += 1
    return new
