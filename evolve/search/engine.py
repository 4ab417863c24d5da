"""The generational loop: evaluate, gate, select, vary, until a stop reason holds.

Every decision is taken on results in population order, with one seeded random generator,
so the same task, seed and budget give the same accepted lineage however the evaluations
are scheduled.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field

from evolve.acceptance.acceptor import Acceptor, Champion, is_solved
from evolve.acceptance.ask import Asker
from evolve.acceptance.gate import fitness_text
from evolve.errors import UsageError
from evolve.evaluation.evaluator import HOLDOUT, SEARCH, Evaluator, Variant
from evolve.evaluation.suite_check import refuse_unusable
from evolve.operators import OPERATORS
from evolve.program.patch import Edit, Patch, patch_from_json
from evolve.program.program import Program
from evolve.search import checkpointing, switching
from evolve.search.algorithms import Algorithm, make_strategy
from evolve.search.bandit import OperatorBandit, escalation
from evolve.search.breeding import Breeder, credit
from evolve.search.checkpointing import LoopState
from evolve.search.combining import PartialFixes
from evolve.search.individual import Individual
from evolve.search.localise import Localisation
from evolve.search.scoring import Scoring
from evolve.search.settings import SearchSettings
from evolve.search.site_weights import SiteWeights
from evolve.search.stats import GenerationStats, Reporter
from evolve.search.stop import StopReason, StopSwitch
from evolve.search.sweeping import Sweep
from evolve.search.widening import Widening
from evolve.store.checkpoint import Checkpoint
from evolve.store.database import AcceptedChange, RunStore
from evolve.store.events import EventLog
from evolve.task import Goal, Task
from sandbox import Evaluation, Status


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


class Search:
    """The generational loop. Its parts each do one job: `Scoring` turns evaluations into
    fitness, a `Breeder` makes children, the `Acceptor` decides what replaces the champion,
    `checkpointing` saves and restores the loop; the search only sequences them."""

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
        seed_evaluation: Evaluation | None = None,
        asker: Asker | None = None,
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
        # The seed's search-suite evaluation when the caller has made it already (`evolve
        # run` evaluates the seed before it makes the run directory).
        self.seed_evaluation = seed_evaluation
        self.started = time.monotonic()
        self.scoring = Scoring(task)
        # State a checkpoint must keep, each with state() / restore(). Random search is the
        # baseline: it draws uniformly, neither localised nor adapted.
        self.acceptor = Acceptor(
            task,
            program,
            evaluator,
            rng,
            budget=budget,
            events=events,
            asker=asker,
            partial_repairs=settings.partial_repairs,
        )
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
            priors=settings.priors(),
            learning_rate=settings.bandit_learning_rate,
            p_min=settings.bandit_p_min,
        )
        self.localisation = Localisation(enabled=adaptive, floor=settings.localisation_floor)
        self.acceptor.site_weights = self.localisation.mutation_weights
        self.pytest_setup = evaluator.pytest  # checkpointed: known tests, quarantine, reach
        self.widening = Widening(enabled=adaptive)
        self.partial_fixes = PartialFixes(enabled=adaptive and task.goal is Goal.REPAIR)
        self.sweep = Sweep(enabled=adaptive and task.goal is Goal.REPAIR, budget=budget)
        self.site_weights = SiteWeights(
            program, self.localisation, self.operator_bandit, self.widening
        )
        self.sweep_site_weights = SiteWeights(
            program,
            self.localisation,
            self.operator_bandit,
            self.widening,
            base=self.localisation.sweep_weights,
        )

    def run(self, checkpoint: Checkpoint | None = None) -> SearchResult:
        """Search from the seed, or from a checkpoint on exactly as if never stopped."""
        loop = self._begin() if checkpoint is None else checkpointing.restore(self, checkpoint)
        reason: StopReason | None = None
        if checkpoint is None and self._stop_reason(loop.champion, 0, 0) is StopReason.SOLVED:
            # A repair whose seed passes every test has nothing to do: no generation runs.
            reason = StopReason.SOLVED
            self._checkpoint(loop)
        # A KeyboardInterrupt (a second Ctrl-C) propagates: the store has committed every
        # finished generation and rolled back the one in flight; the caller records the rest.
        while reason is None:
            # A checkpoint is taken before this check, so a resumed run starts here.
            if loop.generation > 0:
                reason = self._stop_reason(loop.champion, loop.stale, loop.generation)
                if reason is not None and self.acceptor.pending:
                    # Plausible repairs were found: the run does not end without a choice.
                    self._advance(loop, self.acceptor.conclude(loop.champion, loop.generation))
                    self._checkpoint(loop)
                    reason = self._stop_reason(loop.champion, loop.stale, loop.generation)
                if reason is not None:
                    break
                last = self.accepted[-1].generation if self.accepted else 0
                self.operator_bandit.escalation = escalation(loop.generation - last)
                loop.population = self._next_population(loop.population, loop.champion)
            loop.generation += 1
            generation, population = loop.generation, loop.population
            before = self.evaluator.evaluations
            variants = self._evaluate(population, generation)
            new = self.evaluator.evaluations - before
            credit(self.operator_bandit, population)
            self.partial_fixes.observe(population)
            # A union that repairs the program is with the acceptor by now; as a parent, one
            # that does not would crowd the population with patches that pass many tests by
            # joining two that game them.
            loop.population = [individual for individual in population if not individual.joined]
            accepted = len(self.accepted)
            self._advance(
                loop, self.acceptor.consider(loop.champion, population, variants, generation)
            )
            champion = loop.champion
            self.sweep.observe(population, champion.variant.patch, champion.evaluation.passed)
            self.widening.observe(new, len(population), len(self.accepted) > accepted)
            loop.stale = loop.stale + 1 if self.evaluator.evaluations == before else 0
            self._checkpoint(loop)
            stats = self._stats(generation, loop.champion)
            self.reporter.generation(stats)
            if self.events is not None:
                self.events.emit("generation_finished", **asdict(stats))
        checks = self.acceptor.checks
        return SearchResult(
            loop.champion,
            reason,
            loop.generation,
            list(self.acceptor.accepted),
            self.acceptor.holdout_rejections,
            len(checks.overfitting),
            len(checks.unconfirmed),
        )

    @property
    def accepted(self) -> list[AcceptedChange]:
        return self.acceptor.accepted

    def _advance(self, loop: LoopState, champion: Champion) -> None:
        """Make `champion` the loop's; a new one re-plans how variants' cases run."""
        if champion is not loop.champion:
            self.evaluator.plan_against(champion.evaluation, champion.holdout)
        loop.champion = champion

    def _checkpoint(self, loop: LoopState) -> None:
        """The generation's last writes, in one transaction: its accepted change and the state
        to resume from. The change is announced only once it is on disk."""
        new = [change for change in self.accepted if change.generation == loop.generation]
        state = checkpointing.take(self, loop).to_json()
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
        # A pytest suite: the seed's runs that quarantine flaky tests and map each test's
        # reach; the first is the coverage localisation needs.
        coverage = self.evaluator.settle(self.evaluator.variant(()))
        refuse_unusable(self.task, self.task.suite, coverage)
        quarantined = self.evaluator.pytest.quarantined
        if quarantined and self.events is not None:
            self.events.emit("tests_quarantined", tests=list(quarantined))
        champion = self._evaluate_seed()
        if self.task.goal is Goal.REPAIR and is_solved(champion):
            return LoopState(0, 0, [], champion)  # nothing to repair (see `run`)
        self.evaluator.plan_against(champion.evaluation, champion.holdout)
        self.scoring.set_tests(champion.evaluation)
        self.partial_fixes.set_baseline(champion.evaluation.passed_names)
        self.localisation.compute(self.task, self.program, champion.evaluation, coverage)
        probes = self._switch_predicates(champion)
        return LoopState(0, 0, self._initial_population(champion, probes), champion)

    def _evaluate_seed(self) -> Champion:
        seed = self.evaluator.variant(())
        if self.seed_evaluation is not None:
            evaluation: Evaluation | None = self.evaluator.adopt(seed, self.seed_evaluation, 0)
        else:
            [evaluation] = self.evaluator.evaluate([seed], 0, max(1, self.budget))
        assert evaluation is not None  # the seed always fits the budget
        refuse_unusable(self.task, self.task.suite, evaluation)
        refusal = seed_refusal(self.task, self.program.path, evaluation)
        if refusal is not None:
            raise UsageError(refusal)
        self.evaluator.learn(SEARCH, evaluation)
        holdout = self.evaluator.holdout(seed, 0)
        refuse_unusable(self.task, self.task.holdout, holdout)
        self.evaluator.learn(HOLDOUT, holdout)
        return Champion(seed, evaluation, holdout)

    def _switch_predicates(self, seed: Champion) -> list[Individual]:
        """Negate each condition once and favour the sites of those that decide failures
        (`evolve.search.switching`); those probes, for the first population."""
        if not self.localisation.enabled or self.task.goal is not Goal.REPAIR:
            return []

        def run(edits: list[Edit]) -> list[Evaluation | None]:
            variants = [self.evaluator.variant((edit,)) for edit in edits]
            return self.evaluator.evaluate(variants, 0, self.budget - self.evaluator.evaluations)

        left = self.budget - self.evaluator.evaluations
        probes = switching.switch(self.program, self.localisation, seed.evaluation, run, left)
        if probes and self.events is not None:
            self.events.emit("predicates_switched", probes=[p.to_json() for p in probes])
        fitness = self.scoring.fitness_class
        return [Individual([p.edit], fitness) for p in probes if p.deciding]

    def _initial_population(self, seed: Champion, probes: list[Individual]) -> list[Individual]:
        """The strategy's first population, its first members the improving probes."""
        if not self.program.sites:
            raise UsageError(f"{self.program.path}: no editable code to change")
        population = self.strategy.initial(self._breeder(), self._champion_individual(seed, []))
        population[: len(probes)] = probes[: len(population)]
        return population

    def _breeder(self, *, watch_repeats: bool = True) -> Breeder:
        settings = self.settings
        return Breeder(
            program=self.program,
            rng=self.rng,
            fitness_class=self.scoring.fitness_class,
            population=settings.population,
            elite=settings.elite,
            max_edits=settings.max_edits,
            crossover_rate=settings.crossover_rate,
            site_weights=self.site_weights,
            operator_weights=self.operator_bandit.weights,
            identify=self._identify if watch_repeats else None,
            steps=self.widening.steps,
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
                self.scoring.assign(population[i], evaluation)
        return variants

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
        leader = self._champion_individual(champion, evaluated)
        breeder = self._breeder(watch_repeats=self._collapsed(evaluated))
        children = self.strategy.next_population(breeder, population, leader)
        restarts = self.widening.restarts(len(children))
        if restarts:
            points = [
                Individual(patch, self.scoring.fitness_class)
                for patch in self._earlier_programs()
                if patch != champion.variant.patch
            ]
            if points:
                children[len(children) - restarts :] = breeder.restarted(points, restarts)
        # Unions of partial fixes ride along with the generation, beyond its size.
        unions = self.partial_fixes.unions(
            lambda patch: self._identify(patch)[1], max_edits=self.settings.max_edits
        )
        for union in unions:
            joined = Individual(union, self.scoring.fitness_class)
            joined.joined = True
            children.append(joined)
        # So do the champion's likeliest single edits not tried yet (`sweeping`).
        swept = self.sweep.next(
            self.program,
            champion.variant.patch,
            self.sweep_site_weights(),
            self.operator_bandit.weights(),
            lambda patch: self._identify(patch)[1],
        )
        children.extend(Individual(patch, self.scoring.fitness_class) for patch in swept)
        return children

    def _earlier_programs(self) -> list[Patch]:
        """Where a widened search restarts: the seed and every accepted program."""
        patches: list[Patch] = [()]
        for change in self.accepted:
            patch = patch_from_json(change.patch)
            if patch not in patches:
                patches.append(patch)
        return patches

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
        individual = Individual(champion.variant.patch, self.scoring.fitness_class)
        self.scoring.assign(individual, champion.evaluation)
        return individual

    def _stats(self, generation: int, champion: Champion) -> GenerationStats:
        return GenerationStats(
            generation=generation,
            evaluations=self.evaluator.evaluations,
            budget=self.budget,
            cache_hits=self.evaluator.cache_hits,
            elapsed_s=time.monotonic() - self.started,
            best=fitness_text(self.task.goal, champion.evaluation),
            accepted=len(self.accepted),
            statuses=self.store.status_counts(),
            holdout_rejections=self.acceptor.holdout_rejections,
        )


def seed_refusal(
    task: Task, where: str, evaluation: Evaluation, *, settled: bool = True
) -> str | None:
    """Why a search refuses to start from a seed with this evaluation, or None. `settled`
    is False for a pytest suite's run before its flaky tests are quarantined: a failure
    there may be a flaky test's, so only a seed that cannot be loaded is refused.

    A seed that fails or hangs is what a repair starts from: its failing and hanging tests
    score 0 and the search goes on. One that cannot even be loaded (an import of a module
    that does not exist, an error while the module runs) gives the search nothing to climb,
    and no edit inside its functions would help; a speed-up starts from a correct program."""
    if _did_not_load(evaluation):
        return f"{where}: the starting program cannot be loaded: {evaluation.message}"
    if settled and task.goal is Goal.SPEEDUP and evaluation.status is not Status.OK:
        return (
            f"{where}: a speedup needs a starting program that passes every test"
            f" ({evaluation.passed}/{evaluation.total} pass, {evaluation.status.value})"
        )
    return None


def _did_not_load(evaluation: Evaluation) -> bool:
    """Whether no test ran because the program itself failed to load (the sandbox reports
    every case of such a run as "not run: <the error>")."""
    return (
        evaluation.status is Status.CRASH
        and evaluation.total > 0
        and all(test.detail.startswith("not run:") for test in evaluation.tests)
    )


__all__ = ["Search", "SearchResult", "SearchSettings"]
