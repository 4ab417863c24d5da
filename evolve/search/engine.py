"""The generational loop: evaluate, gate, select, vary, until a stop reason holds.

Every decision is taken on results in population order, with one seeded random generator,
so the same task, seed and budget give the same accepted lineage however the evaluations
are scheduled.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from evolve import __version__
from evolve.acceptance.checks import AcceptanceChecks, Candidate
from evolve.acceptance.gate import fitness_text, holdout_holds, judge
from evolve.errors import UsageError
from evolve.evaluation.evaluator import HOLDOUT, SEARCH, Evaluator, Variant
from evolve.operators import OPERATORS
from evolve.program.patch import Edit, Patch, patch_to_json
from evolve.program.program import Program
from evolve.search.algorithms import Algorithm, make_strategy
from evolve.search.bandit import OperatorBandit
from evolve.search.breeding import Breeder, credit
from evolve.search.individual import UNMEASURED_COST, Individual, case_fitness_class
from evolve.search.localise import Localisation
from evolve.search.stop import StopReason, StopSwitch
from evolve.store.chain import GENESIS, edits_json, evidence_json, seal
from evolve.store.checkpoint import (
    Checkpoint,
    components,
    restore_components,
    rng_state,
    set_rng_state,
)
from evolve.store.database import AcceptedChange, RunStore
from evolve.store.events import EventLog
from evolve.task import Goal, Task
from sandbox import CaseSuite, Evaluation, Status


@dataclass(frozen=True)
class SearchSettings:
    population: int = 40
    elite: int = 2  # best individuals carried over unchanged, besides the champion
    max_edits: int = 5
    crossover_rate: float = 0.3
    algorithm: Algorithm = Algorithm.LEXICASE
    tournament_size: int = 3
    islands: int = 4  # subpopulations of the islands algorithm
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
class LoopState:
    """Where the generational loop is; a checkpoint saves it with the components' state."""

    generation: int  # the last generation evaluated (0: none yet)
    stale: int
    population: list[Individual]
    champion: Champion


@dataclass
class SearchResult:
    champion: Champion
    stop_reason: StopReason
    generations: int
    accepted: list[AcceptedChange] = field(default_factory=list)
    holdout_rejections: int = 0  # passed the gate on search tests, failed it on the holdout
    plausible_overfitting: int = 0  # variants passing the cases, failing holdout or generated
    unconfirmed_speedups: int = 0  # cheaper by executed lines, not confirmed by timing


# A population with at most this share of distinct sources has collapsed onto repeats.
COLLAPSED_DISTINCT_SHARE = 0.5
# Generations without an accepted change after which the fix templates weigh in full.
ESCALATION_GENERATIONS = 40


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
        self.checks = AcceptanceChecks.create(task, evaluator, rng, task.confirm_runs)
        # State a checkpoint must keep, each with state() / restore(). Random search is the
        # baseline: it draws uniformly, neither localised nor adapted.
        adaptive = settings.algorithm is not Algorithm.RANDOM
        self.strategy = make_strategy(
            settings.algorithm,
            tournament_size=settings.tournament_size,
            with_cost=task.goal is Goal.SPEEDUP,
            islands=settings.islands,
        )
        self.operator_bandit = OperatorBandit(
            OPERATORS,
            enabled=adaptive,
            priors={name: operator.weight for name, operator in OPERATORS.items()},
        )
        self.localisation = Localisation(enabled=adaptive)
        # (localisation's weights, the escalation, the scaled weights): rescaled only when
        # either changes, not for every edit drawn.
        self._site_cache: tuple[Mapping[str, float], float, Mapping[str, float]] | None = None

    def run(self, checkpoint: Checkpoint | None = None) -> SearchResult:
        """Search from the seed, or from a checkpoint on exactly as if never stopped."""
        loop = self._begin() if checkpoint is None else self.restore_state(checkpoint)
        # A KeyboardInterrupt (a second Ctrl-C) propagates: the store has committed every
        # finished generation and rolled back the one in flight; the caller records the rest.
        while True:
            # A checkpoint is taken before this check, so a resumed run starts here.
            if loop.generation > 0:
                reason = self._stop_reason(loop.champion, loop.stale, loop.generation)
                if reason is not None:
                    break
                self.operator_bandit.escalation = self._escalation(loop.generation)
                loop.population = self._next_population(loop.population, loop.champion)
            loop.generation += 1
            generation, population = loop.generation, loop.population
            before = self.evaluator.evaluations
            variants = self._evaluate(population, generation)
            credit(self.operator_bandit, population)
            loop.champion = self._advance(loop.champion, population, variants, generation)
            loop.stale = loop.stale + 1 if self.evaluator.evaluations == before else 0
            self._checkpoint(loop)
            stats = self._stats(generation, loop.champion)
            self.reporter.generation(stats)
            if self.events is not None:
                self.events.emit("generation_finished", **asdict(stats))
        return SearchResult(
            loop.champion,
            reason,
            loop.generation,
            list(self.accepted),
            self.holdout_rejections,
            len(self.checks.overfitting),
            len(self.checks.unconfirmed),
        )

    # checkpoints -------------------------------------------------------------------------

    def checkpoint_state(self, loop: LoopState) -> Checkpoint:
        return Checkpoint(
            generation=loop.generation,
            stale=loop.stale,
            population=[individual.patch for individual in loop.population],
            evaluated=[individual.evaluated for individual in loop.population],
            champion=loop.champion.variant.patch,
            champion_hash=loop.champion.variant.digest,
            rng=rng_state(self.rng),
            counters=self.evaluator.counters(),
            holdout_rejections=self.holdout_rejections,
            accepted=len(self.accepted),
            elapsed_s=round(time.monotonic() - self._started, 3),
            components={name: part.state() for name, part in components(self).items()},
        )

    def restore_state(self, checkpoint: Checkpoint) -> LoopState:
        """The loop as `checkpoint` left it. The store must hold exactly what it held then
        (see `RunStore.rewind`): the evaluator's cache is rebuilt from it."""
        set_rng_state(self.rng, checkpoint.rng)
        self.evaluator.restore(checkpoint.counters)
        seed = self._cached(self.evaluator.variant(()))
        self._set_tests(seed)
        champion_variant = self.evaluator.variant(checkpoint.champion)
        if champion_variant.digest != checkpoint.champion_hash:
            raise UsageError("the champion renders differently: the seed or the engine changed")
        champion = Champion(
            champion_variant,
            self._cached(champion_variant),
            self.evaluator.cached(champion_variant, HOLDOUT),
        )
        population = []
        for patch, evaluated in zip(checkpoint.population, checkpoint.evaluated, strict=True):
            individual = Individual(patch, self.fitness_class)
            if evaluated:
                self._assign(individual, self._cached(self.evaluator.variant(patch)))
            population.append(individual)
        self.accepted = self.store.accepted()
        if len(self.accepted) != checkpoint.accepted:
            raise UsageError(
                f"the store holds {len(self.accepted)} accepted changes,"
                f" the checkpoint {checkpoint.accepted}"
            )
        self.holdout_rejections = checkpoint.holdout_rejections
        self._started -= checkpoint.elapsed_s
        restore_components(self, checkpoint.components)
        return LoopState(checkpoint.generation, checkpoint.stale, population, champion)

    def _cached(self, variant: Variant) -> Evaluation:
        evaluation = self.evaluator.cached(variant, SEARCH)
        if evaluation is None:
            raise UsageError(f"the store holds no evaluation of variant {variant.digest[:12]}")
        return evaluation

    def _checkpoint(self, loop: LoopState) -> None:
        """The generation's last writes, in one transaction: its accepted change and the state
        to resume from. The change is announced only once it is on disk."""
        new = [change for change in self.accepted if change.generation == loop.generation]
        state = self.checkpoint_state(loop).to_json()
        with self.store.transaction():
            for change in new:
                self.store.add_accepted(change)
            self.store.add_checkpoint(loop.generation, state, time.time())
        for change in new:
            self.reporter.accepted(change)
            if self.events is not None:
                self.events.accepted(change)

    # steps -------------------------------------------------------------------------------

    def _begin(self) -> LoopState:
        champion = self._evaluate_seed()
        self._set_tests(champion.evaluation)
        self.localisation.compute(self.task, self.program)
        return LoopState(0, 0, self._initial_population(champion), champion)

    def _set_tests(self, seed: Evaluation) -> None:
        self.test_names = _test_names(self.task, seed)
        self.fitness_class = case_fitness_class(max(1, len(self.test_names)))

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

    def _initial_population(self, seed: Champion) -> list[Individual]:
        if not self.program.sites:
            raise UsageError(f"{self.program.path}: no editable code to change")
        return self.strategy.initial(self._breeder(), self._champion_individual(seed, []))

    def _breeder(self, *, watch_repeats: bool = True) -> Breeder:
        settings = self.settings
        return Breeder(
            program=self.program,
            rng=self.rng,
            fitness_class=self.fitness_class,
            population=settings.population,
            elite=settings.elite,
            max_edits=settings.max_edits,
            crossover_rate=settings.crossover_rate,
            site_weights=self._site_weights,
            operator_weights=self.operator_bandit.weights,
            identify=self._identify if watch_repeats else None,
        )

    def _identify(self, patch: Patch) -> tuple[str, bool]:
        # Rendered once: the evaluator keeps the variant for when the individual is evaluated.
        variant = self.evaluator.variant(patch)
        return variant.key, self.evaluator.cached(variant, SEARCH) is not None

    def _evaluate(self, population: list[Individual], generation: int) -> list[Variant]:
        variants: list[Variant] = []

        def unevaluated() -> Iterator[Variant]:
            # Rendered one at a time as the evaluator takes them: rendering the rest of the
            # population overlaps the sandbox runs of those taken already.
            for individual in population:
                variants.append(self.evaluator.variant(individual.patch))
                if not individual.evaluated:
                    yield variants[-1]

        todo = [i for i, individual in enumerate(population) if not individual.evaluated]
        left = self.budget - self.evaluator.evaluations
        rendering = unevaluated()
        results = self.evaluator.evaluate(rendering, generation, left)
        for _ in rendering:  # the evaluator takes them all; this only makes sure of it
            pass
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
            if evaluation is None or variant.key == champion.variant.key:
                continue
            if self.checks.turned_down(variant):
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
                    self.checks.overfitting.add(variant.key)
                    self._reject_on_holdout(variant, holdout, verdict.reason, generation)
                    continue
            verdict = self.checks.generated_holds(champion.variant, variant, generation)
            if not verdict.accepted:
                self._turn_down("overfitting_rejected", variant, verdict.reason, generation)
                continue
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
                continue
            new = Champion(smallest.variant, smallest.evaluation, smallest.holdout)
            self._record_acceptance(
                champion, new, generation, self.checks.evidence(minimised, confirmation)
            )
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

    def _turn_down(self, event: str, variant: Variant, reason: str, generation: int) -> None:
        if self.events is not None:
            self.events.emit(event, generation=generation, variant=variant.digest, reason=reason)

    def _record_acceptance(
        self, old: Champion, new: Champion, generation: int, checks: dict[str, Any] | None = None
    ) -> None:
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
        # Stored and announced with the generation's checkpoint (`_checkpoint`).
        self.accepted.append(change)

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

    def _escalation(self, generation: int) -> float:
        """How far the run has stalled, 0 to 1: generations since the last accepted change
        (or the start) over `ESCALATION_GENERATIONS`. The fix templates start at their
        `Operator.weight` and reach full weight by then: one-token mutations fix most defects,
        and a run they cannot move on needs the templates more."""
        last = self.accepted[-1].generation if self.accepted else 0
        return min(1.0, (generation - last) / ESCALATION_GENERATIONS)

    def _site_weights(self) -> Mapping[str, float] | None:
        """Localisation's site weights, each times the lifted weight of the weightiest
        operator at the site: a site that only the fix templates edit weighs less until the
        run stalls."""
        weights = self.localisation.mutation_weights()
        if weights is None:
            return None
        bandit = self.operator_bandit
        cache = self._site_cache
        if cache is None or cache[0] is not weights or cache[1] != bandit.escalation:
            scaled = {
                address: weight * max(bandit.lifted(name) for name in self._site_operators(address))
                for address, weight in weights.items()
            }
            cache = self._site_cache = (weights, bandit.escalation, scaled)
        return cache[2]

    def _site_operators(self, address: str) -> list[str]:
        try:
            return [name for name, _ in self.program.operators_at(address)]
        except KeyError:
            return [""]  # not a site: weighs as it did

    def _next_population(
        self, population: list[Individual], champion: Champion
    ) -> list[Individual]:
        evaluated = [individual for individual in population if individual.evaluated]
        leader = self._champion_individual(champion, evaluated)
        breeder = self._breeder(watch_repeats=self._collapsed(evaluated))
        return self.strategy.next_population(breeder, population, leader)

    def _collapsed(self, evaluated: Sequence[Individual]) -> bool:
        """Whether at most half of the last population's sources are distinct. Only then are
        children checked for repeats as they are bred: the check renders each child before
        its evaluation, where rendering no longer overlaps the sandbox runs, and in a healthy
        population it would cost a third of the engine's time for nothing. Derived from the
        population alone, so a resumed run decides the same."""
        keys = {self.evaluator.variant(individual.patch).key for individual in evaluated}
        return len(keys) <= COLLAPSED_DISTINCT_SHARE * len(evaluated)

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
