"""The one place a variant becomes the champion: `Acceptor.consider` after each generation.

A variant is considered only if it passes the gate on the search's tests. Then, best first,
it must keep the holdout and be minimised; a speed-up must also agree with the seed on the
generated inputs and be confirmed by timing. The first that gets through is recorded as an
`AcceptedChange`, sealed into the hash chain, and becomes the champion. At most one a
generation, ties to the earlier individual, so the lineage depends only on the population's
order.

A repair that passes every search test is plausible, not yet accepted: plausible repairs are
collected over a bounded number of further evaluations, each minimised, and the best by
`evolve.acceptance.plausible`'s ranking is accepted, with the others and the reason in its
evidence, unless `evolve.acceptance.refusal` refuses the choice (no holdout vouches for it
and the tests look gamed, or cannot decide). A partial repair (more tests than the champion,
not all) is accepted only when `SearchSettings.partial_repairs` allows it, and never while a
collection is open.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from evolve.acceptance.antipatterns import RESULT_TYPE, code_anti_patterns, result_type_changed
from evolve.acceptance.ask import Answer, Asker, agrees, append_cases
from evolve.acceptance.change import sealed_change
from evolve.acceptance.checks import AcceptanceChecks, Candidate, Minimised
from evolve.acceptance.gate import (
    UNMEASURED_COST,
    at_least_as_good,
    fitness_text,
    holdout_holds,
    judge,
)
from evolve.acceptance.neighbourhood import (
    MAX_NEIGHBOURS,
    MIN_NEIGHBOURS,
    SINGLE_EDIT_SHARE,
    neighbours,
    other_single_edits,
)
from evolve.acceptance.overfitting import GENERATED
from evolve.acceptance.plausible import (
    Collection,
    Plausible,
    Ranking,
    change_size,
    rank,
)
from evolve.acceptance.refusal import RefusalPolicy
from evolve.evaluation.evaluator import HOLDOUT, SEARCH, Evaluator, Variant
from evolve.program.patch import Patch
from evolve.program.program import Program
from evolve.store.database import AcceptedChange
from evolve.store.events import EventLog
from evolve.task import Goal, Task
from sandbox import CaseSuite, Evaluation


@dataclass
class Champion:
    """The variant every candidate is judged against: the seed, then each accepted child."""

    variant: Variant
    evaluation: Evaluation
    holdout: Evaluation | None


# Plausible repairs collected for one choice at most; the rest of a generation waits.
ENOUGH_PER_CHOICE = 8


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
        asker: Asker | None = None,
        partial_repairs: bool = False,
    ) -> None:
        self.task = task
        self.program = program
        self.evaluator = evaluator
        self.budget = budget
        self.events = events
        self.checks = AcceptanceChecks.create(task, evaluator, rng, task.confirm_runs)
        self.accepted: list[AcceptedChange] = []
        self.holdout_rejections = 0  # passed the gate on search tests, failed the holdout
        self.refused = 0  # plausible repairs refused: an anti-pattern of shape, or a level tie
        # Whether a choice with no holdout to vouch for it is refused (see
        # `evolve.acceptance.refusal`); it remembers the level ties refused before.
        self.refusal_policy = RefusalPolicy()
        self.plausible = Collection(budget)
        # Asks a person what the tests could not decide (`[review] ask` at a terminal).
        self.asker = asker
        self.partial_repairs = partial_repairs  # see `SearchSettings.partial_repairs`
        seed = program.runnable(program.source)
        self._seed_files = {"": seed} if isinstance(seed, str) else dict(seed)
        # Fault localisation's site weights, once the search has them (None: every site
        # alike); they order the neighbourhood's swaps away from where a patch edits.
        self.site_weights: Callable[[], Mapping[str, float] | None] = lambda: None

    def state(self) -> dict[str, Any]:
        return {
            "checks": self.checks.state(),
            "refused": self.refused,
            **self.refusal_policy.state(),
            "plausible": self.plausible.state(),
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Set back to `state`; the evaluator's cache must hold the run's evaluations."""
        self.checks.restore(state["checks"])
        self.refused = int(state.get("refused", 0))  # not in checkpoints of older versions
        self.refusal_policy.restore(state)
        self.plausible.restore(state["plausible"], self._candidate)

    def _candidate(self, patch: Patch) -> tuple[Candidate, tuple[str | None, ...]]:
        """A collected repair's candidate and generated outputs, from the evaluator's cache."""
        variant = self.evaluator.variant(patch)
        evaluation = self.evaluator.cached(variant, SEARCH)
        generated = self.evaluator.cached(variant, GENERATED)
        if evaluation is None:
            raise ValueError(f"no evaluation of plausible variant {variant.digest[:12]}")
        outputs = () if generated is None else generated.outputs
        return Candidate(variant, evaluation, self.evaluator.cached(variant, HOLDOUT)), outputs

    def consider(
        self,
        champion: Champion,
        population: Sequence[Member],
        variants: Sequence[Variant],
        generation: int,
    ) -> Champion:
        """The new champion if a variant of `population` gets through, else `champion`."""
        for variant, evaluation in self._candidates(champion, population, variants):
            if self._is_plausible_repair(evaluation):
                self._collect(champion, variant, evaluation, generation)
                continue
            if self.plausible.pool:
                continue  # a whole repair is being chosen: a partial one would be undone
            if self.task.goal is Goal.REPAIR and not self.partial_repairs:
                continue  # only a plausible repair advances the champion
            new = self._admit(champion, variant, evaluation, generation)
            if new is not None:
                return new
        if self.plausible.ready(self.evaluator.evaluations):
            return self.conclude(champion, generation)
        return champion

    @property
    def pending(self) -> bool:
        """Whether plausible repairs wait for a choice (the run must not end without it)."""
        return bool(self.plausible.pool)

    def conclude(self, champion: Champion, generation: int) -> Champion:
        """Accept the best plausible repair collected; the champion if there is none."""
        if not self.plausible.pool:
            return champion
        ranking = self._rank(self.plausible.pool, generation)
        asked: list[Answer] = []
        if self.asker is not None and ranking.disagreements:
            labels = [self._label(p) for p in ranking.ranked]
            asked = self.asker(list(ranking.disagreements), labels)
            if asked and self.task.cases_file is not None:
                append_cases(self.task.cases_file, asked, "asked during a run")
            survivors = [
                p
                for index, p in enumerate(ranking.ranked)
                if agrees(ranking.disagreements, index, asked)
            ]
            kept = {p.key for p in survivors}
            for turned_down in [p for p in ranking.ranked if p.key not in kept]:
                self._turn_down(
                    "plausible_turned_down",
                    turned_down.candidate.variant,
                    "answers otherwise than a person said it should",
                    generation,
                )
            if not survivors:
                self.plausible.clear()
                return champion
            ranking = self._rank(survivors, generation)
        best = ranking.chosen
        refusal = self.refusal_policy.refusal(ranking)
        if refusal is not None:
            for suspect in ranking.ranked:
                self._refuse(suspect, refusal(suspect), generation)
            self.plausible.clear()
            return champion
        short = self.plausible.cut_short(self.evaluator.evaluations)
        unexplored = self.plausible.unexplored
        self.plausible.clear()
        new = Champion(best.candidate.variant, best.candidate.evaluation, best.candidate.holdout)
        evidence = self.checks.evidence(
            Minimised(best.candidate, best.edits_before, best.edits_after), None
        )
        evidence["plausible"] = ranking.evidence(self.program.describe)
        if short:
            # A repair found late is chosen from fewer candidates than the others; say so.
            evidence["plausible"]["cut_short"] = short
            evidence["plausible"]["reason"] += (
                f"; the run ended {short} evaluations before the look for other candidates was done"
            )
        if unexplored:
            # The same for the patches one edit from the first repair, and the other single
            # edits it is checked against: a repair with fewer edits may be among them.
            evidence["plausible"]["unexplored"] = unexplored
            evidence["plausible"]["reason"] += (
                f"; the run ended before {unexplored} patches one edit from it were tried"
            )
        if asked:
            evidence["plausible"]["asked"] = [answer.to_json() for answer in asked]
        self._record(champion, new, generation, evidence)
        return new

    def _refuse(self, suspect: Plausible, reason: str, generation: int) -> None:
        """Turn a plausible repair down for good: counted, never collected again."""
        self.refused += 1
        self.checks.overfitting.add(suspect.candidate.variant.key)
        self._turn_down("plausible_refused", suspect.candidate.variant, reason, generation)

    def _rank(self, pool: Sequence[Plausible], generation: int) -> Ranking:
        inputs = self.checks.generated.suite
        return rank(
            pool,
            self.checks.generated.seed_outputs(generation),
            [] if inputs is None else [(case.args, case.kwargs) for case in inputs.cases],
            self.task.suite.float_tolerance if isinstance(self.task.suite, CaseSuite) else 0.0,
            seed_source=self.program.source,
        )

    def _label(self, plausible: Plausible) -> str:
        edits = [self.program.describe(edit) for edit in plausible.candidate.variant.patch]
        return "; ".join(edits) or "the program unchanged"

    def _is_plausible_repair(self, evaluation: Evaluation) -> bool:
        return self.task.goal is Goal.REPAIR and evaluation.total > 0 and evaluation.failed == 0

    def _collect(
        self, champion: Champion, variant: Variant, evaluation: Evaluation, generation: int
    ) -> None:
        """Check, minimise and keep a plausible repair for the choice."""
        if len(self.plausible.pool) >= ENOUGH_PER_CHOICE:
            return
        self.checks.skip(variant)  # collected or turned down: never considered again
        variant, evaluation = self._keep_gains(champion, variant, evaluation, generation)
        self.checks.skip(variant)
        holdout = self.evaluator.holdout(variant, generation)
        if holdout is not None:
            verdict = holdout_holds(champion.holdout, holdout)
            if not verdict.accepted:
                self.checks.overfitting.add(variant.key)
                self._reject_on_holdout(variant, holdout, verdict.reason, generation)
                return
        generated = self.checks.generated
        outputs = generated.outputs(variant, evaluation, generation)
        minimised = self.checks.minimise(
            Candidate(champion.variant, champion.evaluation, champion.holdout),
            Candidate(variant, evaluation, holdout),
            generation,
            self._evaluate_one(generation),
            keeps=lambda v, e: generated.outputs(v, e, generation) == outputs,
        )
        smallest = minimised.candidate
        if smallest.variant.key in self.checks.overfitting:
            return  # minimised to a repair refused or failed on the holdout before
        runnable = self.program.runnable(smallest.variant.source)
        files = {"": runnable} if isinstance(runnable, str) else dict(runnable)
        patterns = code_anti_patterns(self._seed_files, files)
        if result_type_changed(generated.seed_outputs(generation), outputs):
            patterns.append(RESULT_TYPE)
        first = not self.plausible.pool
        self.plausible.add(
            Plausible(
                smallest,
                minimised.edits_before,
                minimised.edits_after,
                generation,
                self.evaluator.evaluations,
                outputs,
                tuple(patterns),
            ),
            self.evaluator.evaluations,
        )
        self.checks.skip(smallest.variant)
        if first:
            vouched = smallest.holdout is not None
            self._explore_neighbourhood(champion, smallest.variant, generation, vouched)

    def _explore_neighbourhood(
        self, champion: Champion, found: Variant, generation: int, vouched: bool
    ) -> None:
        """Try the patches one edit away from the first plausible repair and, unless a
        holdout vouched for it, every other single edit when it has several (see
        `evolve.acceptance.neighbourhood`); collect those that pass too, fewest edits and
        smallest first."""
        base = champion.variant.patch
        weights = self.site_weights()
        # A tenth of the budget at most, as the collection's own extra search: where each
        # evaluation is dear (a whole package imported per variant), 400 would be hours.
        limit = min(MAX_NEIGHBOURS, max(MIN_NEIGHBOURS, self.budget // 10))
        patches = neighbours(self.program, found.patch, base, limit, weights)
        if not vouched:
            singles = int(self.budget * SINGLE_EDIT_SHARE)
            patches += other_single_edits(
                self.program, found.patch, base, patches, singles, weights
            )
        variants = [self.evaluator.variant(patch) for patch in patches]
        left = self.budget - self.evaluator.evaluations
        results = self.evaluator.evaluate(variants, generation, left)
        self.plausible.unexplored += sum(1 for result in results if result is None)
        # Fewest edits first: only so many are collected for one choice.
        passing = [
            (
                len(variant.patch),
                change_size(self.program.source, variant.source),
                index,
                variant,
                evaluation,
            )
            for index, (variant, evaluation) in enumerate(zip(variants, results, strict=True))
            if evaluation is not None
            and self._is_plausible_repair(evaluation)
            and not self.checks.turned_down(variant)
            and variant.key not in {p.key for p in self.plausible.pool}
        ]
        for *_, variant, evaluation in sorted(passing, key=lambda entry: entry[:3]):
            self._collect(champion, variant, evaluation, generation)

    def _keep_gains(
        self, champion: Champion, variant: Variant, evaluation: Evaluation, generation: int
    ) -> tuple[Variant, Evaluation]:
        """The candidate with the champion's edits it dropped put back, if that is as good
        (as many tests, no higher cost): a child from another line of descent must not undo
        an earlier accepted change unless undoing it is better. Else the candidate as it is,
        and its record will name what it reverts."""
        missing = tuple((Counter(champion.variant.patch) - Counter(variant.patch)).elements())
        if not missing:
            return variant, evaluation
        regrafted = self.evaluator.variant(variant.patch + missing)
        if regrafted.key == variant.key:
            return variant, evaluation
        result = self._evaluate_one(generation)(regrafted)
        goal = self.task.goal
        if result is not None and at_least_as_good(goal, champion.evaluation, evaluation, result):
            return regrafted, result
        return variant, evaluation

    def _evaluate_one(self, generation: int) -> Callable[[Variant], Evaluation | None]:
        def evaluate(variant: Variant) -> Evaluation | None:
            left = self.budget - self.evaluator.evaluations
            return self.evaluator.evaluate([variant], generation, left)[0]

        return evaluate

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
        variant, evaluation = self._keep_gains(champion, variant, evaluation, generation)
        holdout = self.evaluator.holdout(variant, generation)
        if holdout is not None:
            verdict = holdout_holds(champion.holdout, holdout)
            if not verdict.accepted:
                self.checks.overfitting.add(variant.key)
                self._reject_on_holdout(variant, holdout, verdict.reason, generation)
                return None
        keeps = None
        if self.task.goal is Goal.SPEEDUP:
            verdict = self.checks.generated_holds(champion.variant, variant, generation)
            if not verdict.accepted:
                self._turn_down("overfitting_rejected", variant, verdict.reason, generation)
                return None

            def keeps(v: Variant, e: Evaluation) -> bool:
                return self.checks.generated.verdict(champion.variant, v, generation).accepted

        minimised = self.checks.minimise(
            Candidate(champion.variant, champion.evaluation, champion.holdout),
            Candidate(variant, evaluation, holdout),
            generation,
            self._evaluate_one(generation),
            keeps,
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
        change = sealed_change(
            self.program,
            self.accepted,
            Candidate(old.variant, old.evaluation, old.holdout),
            Candidate(new.variant, new.evaluation, new.holdout),
            generation=generation,
            evaluations=self.evaluator.evaluations,
            goal=self.task.goal,
            checks=checks,
        )
        self.accepted.append(change)


__all__ = ["Acceptor", "Champion", "is_solved"]
