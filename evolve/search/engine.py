"""The generational loop: evaluate, gate, select, vary, until a stop reason holds.

Every decision is taken on results in population order, with one seeded random generator,
so the same task, seed and budget give the same accepted lineage however the evaluations
are scheduled.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

from evolve import __version__
from evolve.audit.chain import GENESIS, edits_json, evidence_json, seal
from evolve.diff import unified_diff
from evolve.errors import UsageError
from evolve.evaluator import Evaluator, Variant
from evolve.events import EventLog
from evolve.gate import fitness_text, holdout_holds, judge
from evolve.patch import Edit, patch_to_json
from evolve.program import Program
from evolve.search.individual import UNMEASURED_COST, Individual, case_fitness_class
from evolve.search.selection import Selection, best, select
from evolve.search.stop import StopReason, StopSwitch
from evolve.search.variation import crossover, mutate
from evolve.store import AcceptedChange, RunStore
from evolve.task import Goal, Task
from sandbox import CaseSuite, Evaluation, Status


@dataclass(frozen=True)
class SearchSettings:
    population: int = 40
    elite: int = 2  # best individuals carried over unchanged, besides the champion
    max_edits: int = 5
    crossover_rate: float = 0.3
    selection: Selection = Selection.LEXICASE
    tournament_size: int = 3
    patience: int = 25  # generations in a row without a new variant before giving up
    # A speed-up has no "solved": it stops when this many generations accept nothing.
    stagnation: int = 40

    def __post_init__(self) -> None:
        if self.population < 2 or self.elite < 0 or self.elite >= self.population:
            raise ValueError("population must be >= 2 and elite < population")


@dataclass(frozen=True)
class GenerationStats:
    generation: int
    evaluations: int
    budget: int
    cache_hits: int
    elapsed_s: float
    best: str
    accepted: int
    statuses: dict[str, int] = field(default_factory=dict)  # search evaluations so far
    holdout_rejections: int = 0


class Reporter(Protocol):
    def generation(self, stats: GenerationStats) -> None: ...

    def accepted(self, change: AcceptedChange) -> None: ...


@dataclass
class Champion:
    variant: Variant
    evaluation: Evaluation
    holdout: Evaluation | None


@dataclass
class SearchResult:
    champion: Champion
    stop_reason: StopReason
    generations: int
    accepted: list[AcceptedChange] = field(default_factory=list)
    holdout_rejections: int = 0  # passed the gate on search tests, failed it on the holdout


class Search:
    def __init__(
        self,
        task: Task,
        program: Program,
        evaluator: Evaluator,
        store: RunStore,
        *,
        budget: int,
        rng: random.Random,
        settings: SearchSettings,
        reporter: Reporter,
        switch: StopSwitch | None = None,
        events: EventLog | None = None,
    ) -> None:
        self.task = task
        self.program = program
        self.evaluator = evaluator
        self.store = store
        self.budget = budget
        self.rng = rng
        self.settings = settings
        self.reporter = reporter
        self.switch = switch or StopSwitch()
        self.events = events
        self.test_names: tuple[str, ...] = ()
        self.fitness_class = case_fitness_class(1)
        self.accepted: list[AcceptedChange] = []
        self.holdout_rejections = 0
        self._started = time.monotonic()

    def run(self) -> SearchResult:
        champion = self._evaluate_seed()
        self.test_names = _test_names(self.task, champion.evaluation)
        self.fitness_class = case_fitness_class(max(1, len(self.test_names)))
        generation = 0
        stale = 0
        population = self._initial_population()
        # A KeyboardInterrupt (a second Ctrl-C) propagates: the store has committed every
        # finished generation and rolled back the one in flight; the caller records the rest.
        while True:
            generation += 1
            before = self.evaluator.evaluations
            variants = self._evaluate(population, generation)
            champion = self._advance(champion, population, variants, generation)
            stale = stale + 1 if self.evaluator.evaluations == before else 0
            stats = self._stats(generation, champion)
            self.reporter.generation(stats)
            if self.events is not None:
                self.events.emit("generation_finished", **asdict(stats))
            reason = self._stop_reason(champion, stale, generation)
            if reason is not None:
                break
            population = self._next_population(population, champion)
        return SearchResult(
            champion, reason, generation, list(self.accepted), self.holdout_rejections
        )

    # steps -------------------------------------------------------------------------------

    def _evaluate_seed(self) -> Champion:
        seed = self.evaluator.variant(())
        [evaluation] = self.evaluator.evaluate([seed], 0, max(1, self.budget))
        assert evaluation is not None  # the seed always fits the budget
        self._check_seed(evaluation)
        return Champion(seed, evaluation, self.evaluator.holdout(seed, 0))

    def _check_seed(self, evaluation: Evaluation) -> None:
        """Refuse a starting program the search cannot climb from, before spending budget."""
        where = self.program.path
        if evaluation.status is Status.TIMEOUT and evaluation.passed == 0:
            raise UsageError(
                f"{where}: the starting program hits the time limit on every test"
                f" ({evaluation.message or 'no test finished'})"
            )
        if self.task.goal is Goal.SPEEDUP and evaluation.status is not Status.OK:
            raise UsageError(
                f"{where}: a speedup needs a starting program that passes every test"
                f" ({evaluation.passed}/{evaluation.total} pass, {evaluation.status.value})"
            )

    def _initial_population(self) -> list[Individual]:
        population = []
        for _ in range(self.settings.population):
            edit = self.program.random_edit(self.rng)
            if edit is None:
                raise UsageError(f"{self.program.path}: no editable code to change")
            population.append(Individual([edit], self.fitness_class))
        return population

    def _evaluate(self, population: list[Individual], generation: int) -> list[Variant]:
        variants = [self.evaluator.variant(individual.patch) for individual in population]
        todo = [i for i, individual in enumerate(population) if not individual.evaluated]
        left = self.budget - self.evaluator.evaluations
        results = self.evaluator.evaluate([variants[i] for i in todo], generation, left)
        for i, evaluation in zip(todo, results, strict=True):
            if evaluation is not None:
                self._assign(population[i], evaluation)
        return variants

    def _assign(self, individual: Individual, evaluation: Evaluation) -> None:
        passed = evaluation.passed_names
        if self.test_names:
            outcomes = tuple(1.0 if name in passed else 0.0 for name in self.test_names)
        else:  # a pytest suite that collected nothing on the seed: count passes instead
            outcomes = (float(evaluation.passed),)
        individual.fitness.values = outcomes
        cost = evaluation.cost if evaluation.cost is not None else UNMEASURED_COST
        if self.task.goal is Goal.REPAIR:
            cost = 0
        individual.score.values = (float(evaluation.passed), float(cost), float(len(individual)))
        individual.evaluation = evaluation

    def _advance(
        self,
        champion: Champion,
        population: Sequence[Individual],
        variants: Sequence[Variant],
        generation: int,
    ) -> Champion:
        """Accept at most one variant a generation: the best that passes the gate and the
        holdout. Ties go to the earlier individual, so the choice is deterministic."""
        candidates = []
        for index, (individual, variant) in enumerate(zip(population, variants, strict=True)):
            evaluation = individual.evaluation
            if evaluation is None or variant.digest == champion.variant.digest:
                continue
            if judge(self.task.goal, champion.evaluation, evaluation).accepted:
                cost = evaluation.cost if evaluation.cost is not None else UNMEASURED_COST
                key = (-evaluation.passed, cost, len(individual), index)
                candidates.append((key, variant, evaluation))
        for _, variant, evaluation in sorted(candidates, key=lambda c: c[0]):
            holdout = self.evaluator.holdout(variant, generation)
            if holdout is not None:
                verdict = holdout_holds(champion.holdout, holdout)
                if not verdict.accepted:
                    self._reject_on_holdout(variant, holdout, verdict.reason, generation)
                    continue
            new = Champion(variant, evaluation, holdout)
            self._record_acceptance(champion, new, generation)
            if self.events is not None:
                self.events.accepted(self.accepted[-1])
            return new
        return champion

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

    def _record_acceptance(self, old: Champion, new: Champion, generation: int) -> None:
        old_edits = set(old.variant.patch)
        new_edits = tuple(e for e in new.variant.patch if e not in old_edits)
        operators = tuple(e.operator for e in new_edits)
        goal = self.task.goal
        # The diff names the file the run started from, which is where `evolve apply` writes.
        program_name = Path(self.program.path).name
        change = AcceptedChange(
            number=len(self.accepted) + 1,
            generation=generation,
            evaluations=self.evaluator.evaluations,
            parent=old.variant.digest,
            child=new.variant.digest,
            patch=patch_to_json(new.variant.patch),
            operators=operators,
            diff=unified_diff(old.variant.source, new.variant.source, program_name),
            fitness_before=fitness_text(goal, old.evaluation),
            fitness_after=fitness_text(goal, new.evaluation),
            tests_gained=tuple(sorted(new.evaluation.passed_names - old.evaluation.passed_names)),
            created_at=time.time(),
            edits=edits_json(self.program, new_edits),
            evidence=evidence_json(old.evaluation, new.evaluation, old.holdout, new.holdout),
            layers=new.evaluation.layers,
            engine_version=__version__,
        )
        change = seal(change, self.accepted[-1].hash if self.accepted else GENESIS)
        with self.store.transaction():
            self.store.add_accepted(change)
        self.accepted.append(change)
        self.reporter.accepted(change)

    def _stop_reason(self, champion: Champion, stale: int, generation: int) -> StopReason | None:
        if self.task.goal is Goal.REPAIR and is_solved(champion):
            return StopReason.SOLVED
        if self.evaluator.evaluations >= self.budget:
            return StopReason.BUDGET
        if stale >= self.settings.patience:
            return StopReason.EXHAUSTED
        last_change = self.accepted[-1].generation if self.accepted else 0
        if self.task.goal is Goal.SPEEDUP and generation - last_change >= self.settings.stagnation:
            return StopReason.STAGNATED
        # Last, so a run that finished on its own this generation says why it finished.
        return self.switch.requested()

    def _next_population(
        self, population: list[Individual], champion: Champion
    ) -> list[Individual]:
        evaluated = [individual for individual in population if individual.evaluated]
        settings = self.settings
        elites = [self._champion_individual(champion, evaluated)]
        elites += [e for e in best(evaluated, settings.elite) if e.patch != elites[0].patch]
        elites = elites[: settings.elite + 1]
        wanted = settings.population - len(elites)
        parents = (
            select(settings.selection, evaluated, wanted, self.rng, settings.tournament_size)
            if evaluated
            else [elites[0]] * wanted
        )
        offspring: list[Individual] = []
        for i in range(0, wanted, 2):
            first, second = list(parents[i]), list(parents[(i + 1) % len(parents)])
            if self.rng.random() < settings.crossover_rate:
                first, second = crossover(first, second, self.rng)
            else:
                first = mutate(first, self.program, self.rng, settings.max_edits)
                second = mutate(second, self.program, self.rng, settings.max_edits)
            offspring.append(Individual(first[: settings.max_edits], self.fitness_class))
            offspring.append(Individual(second[: settings.max_edits], self.fitness_class))
        return elites + offspring[:wanted]

    def _champion_individual(
        self, champion: Champion, evaluated: Sequence[Individual]
    ) -> Individual:
        for individual in evaluated:
            if individual.patch == champion.variant.patch:
                return individual
        individual = Individual(champion.variant.patch, self.fitness_class)
        self._assign(individual, champion.evaluation)
        return individual

    def _stats(self, generation: int, champion: Champion) -> GenerationStats:
        return GenerationStats(
            generation=generation,
            evaluations=self.evaluator.evaluations,
            budget=self.budget,
            cache_hits=self.evaluator.cache_hits,
            elapsed_s=time.monotonic() - self._started,
            best=fitness_text(self.task.goal, champion.evaluation),
            accepted=len(self.accepted),
            statuses=self.store.status_counts(),
            holdout_rejections=self.holdout_rejections,
        )


def is_solved(champion: Champion) -> bool:
    """Every search test and every holdout test passes."""
    holdout_ok = champion.holdout is None or champion.holdout.failed == 0
    return champion.evaluation.failed == 0 and champion.evaluation.total > 0 and holdout_ok


def _test_names(task: Task, seed: Evaluation) -> tuple[str, ...]:
    """The tests lexicase selects on: the cases, or the tests pytest found on the seed."""
    if isinstance(task.suite, CaseSuite):
        return tuple(case.name for case in task.suite.cases)
    return tuple(t.name for t in seed.tests)


__all__ = ["Edit", "GenerationStats", "Reporter", "Search", "SearchResult", "SearchSettings"]
