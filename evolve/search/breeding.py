"""Making new individuals: the moves every search algorithm shares.

A `Breeder` draws fresh edits where localisation points and with the operators the bandit
favours, mutates and crosses patches, and notes on each mutated child which operators made it,
so the bandit can credit them once the child is evaluated.

Most children that repeat a source the run has evaluated (or one already in the population)
are kept: they cost no evaluation, and copies of a good parent are much of how lexicase
exploits it. But a population can collapse: lexicase keeps picking one dominant parent (say
a variant that passes every case and that the holdout turned down), most of each generation
repeats it, and the few new children all explore around it. So past `REPEAT_SHARE` of a
population, a repeat is redrawn around the champion, whose neighbourhood is where the next
accepted change is likeliest. The check reads only the population being built and the run's
evaluations, which a resumed run rebuilds from its store, so it has no state to checkpoint.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from deap import base

from evolve.program.patch import Edit, Patch
from evolve.program.program import Program
from evolve.search.bandit import OperatorBandit, reward
from evolve.search.individual import Individual
from evolve.search.selection import best
from evolve.search.variation import crossover, mutate

Weights = Callable[[], Mapping[str, float] | None]
# A patch's normalised-source key, and whether the run has evaluated that source already.
Identify = Callable[[Patch], tuple[str, bool]]

# The share of a population that may repeat known sources before repeats are redrawn.
# Redrawing every repeat (a share of 0) spent up to ten times the evaluations on tasks that
# a one-edit fix solves: it replaces free slots with paid ones.
REPEAT_SHARE = 0.75
# Mutations from the champion on each try at a new child, after which a repeat is kept: a
# small program may have few variants left.
CHAMPION_STEPS = (1, 1, 2)


@dataclass
class Breeder:
    program: Program
    rng: random.Random
    fitness_class: type[base.Fitness]
    population: int
    elite: int
    max_edits: int
    crossover_rate: float
    site_weights: Weights
    operator_weights: Weights
    # None: no check for repeats (each child is kept as made).
    identify: Identify | None = None
    steps: int = 1  # mutations a child gets (more when the search widens)
    # What the population being built holds; a breeder breeds one population.
    taken: set[str] = field(default_factory=set)  # its sources
    repeats: int = 0  # its children that repeat a known source
    redrawn: int = 0  # children made again around the champion

    def individual(self, edits: Sequence[Edit]) -> Individual:
        return Individual(list(edits)[: self.max_edits], self.fitness_class)

    def restarted(self, points: Sequence[Individual], count: int) -> list[Individual]:
        """`count` children, each a mutant of one of `points` drawn in turn (the seed and
        earlier accepted programs, when the search widens)."""
        children = []
        for _ in range(count):
            point = points[self.rng.randrange(len(points))]
            children.append(self.distinct(self.mutant(point), point))
        return children

    def mutant(self, parent: Individual, steps: int | None = None) -> Individual:
        """`parent` changed by `steps` mutations (default the breeder's), remembering which
        operators it took."""
        if steps is None:
            steps = self.steps
        edits = list(parent)
        for _ in range(steps):
            edits = mutate(
                edits,
                self.program,
                self.rng,
                self.max_edits,
                site_weights=self.site_weights(),
                operator_weights=self.operator_weights(),
            )
        child = self.individual(edits)
        _note_origin(child, parent)
        return child

    def seeded(self, seed: Individual) -> list[Individual]:
        """A first population: one fresh edit each on the seed."""
        return [self.distinct(self.mutant(seed), seed) for _ in range(self.population)]

    def elites(self, evaluated: Sequence[Individual], champion: Individual) -> list[Individual]:
        """The champion first, then the best others, `elite` of them, carried over unchanged;
        an elite with the source of one before it is left out."""
        kept = [champion]
        kept += [e for e in best(evaluated, self.elite) if e.patch != champion.patch]
        return self.keep(kept[: self.elite + 1])

    def keep(self, individuals: Sequence[Individual]) -> list[Individual]:
        """`individuals` carried into the population, but for repeats of a source among them
        or already in it; the first always stays."""
        kept = []
        for index, individual in enumerate(individuals):
            if self.identify is None:
                kept.append(individual)
                continue
            key, _ = self.identify(individual.patch)
            if key not in self.taken or index == 0:
                self.taken.add(key)
                kept.append(individual)
        return kept

    def offspring(
        self, parents: Sequence[Individual], wanted: int, champion: Individual | None = None
    ) -> list[Individual]:
        """Pairs of parents crossed (messy one-point) or each mutated; `wanted` children.
        Repeats past `REPEAT_SHARE` are redrawn around `champion` (else the parent)."""
        children: list[Individual] = []
        for i in range(0, wanted, 2):
            first, second = parents[i], parents[(i + 1) % len(parents)]
            if self.rng.random() < self.crossover_rate:
                a, b = crossover(list(first), list(second), self.rng)
                made = [(self.individual(a), first), (self.individual(b), second)]
            else:
                made = [(self.mutant(first), first), (self.mutant(second), second)]
            for child, parent in made[: wanted - len(children)]:
                children.append(self.distinct(child, champion or parent))
        return children

    def distinct(self, child: Individual, champion: Individual) -> Individual:
        """`child`, unless it repeats a known source and the population holds its share of
        repeats already: then the first new one of a few mutants of `champion`, else the
        last of them."""
        if self.identify is None or self._take(child, repeat=True):
            return child
        self.repeats += 1
        if self.repeats <= REPEAT_SHARE * self.population:
            return child
        for steps in CHAMPION_STEPS:
            self.redrawn += 1
            child = self.mutant(champion, steps + self.steps - 1)
            if self._take(child):
                return child
        return child

    def _take(self, individual: Individual, *, repeat: bool = False) -> bool:
        """Whether `individual` is new to the population and the run. Its source joins the
        population's if it is new, or if it repeats only the run's and `repeat` allows."""
        assert self.identify is not None
        key, evaluated = self.identify(individual.patch)
        if key in self.taken or (evaluated and not repeat):
            return False
        self.taken.add(key)
        return not evaluated


def _note_origin(child: Individual, parent: Individual) -> None:
    if not parent.score.valid:
        return
    old = set(parent)
    fresh = tuple(edit.operator for edit in child if edit not in old)
    if fresh:
        child.origin = (fresh, tuple(parent.score.values))


def credit(bandit: OperatorBandit, population: Sequence[Individual]) -> None:
    """Reward the operators behind every child evaluated since the last call, once each."""
    for individual in population:
        if individual.origin is None or not individual.score.valid:
            continue
        operators, parent_score = individual.origin
        bandit.update(operators, reward(parent_score, individual.score.values))
        individual.origin = None
