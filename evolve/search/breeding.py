"""Making new individuals: the moves every search algorithm shares.

A `Breeder` draws fresh edits where localisation points and with the operators the bandit
favours, mutates and crosses patches, and notes on each mutated child which operators made it,
so the bandit can credit them once the child is evaluated.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from deap import base

from evolve.patch import Edit
from evolve.program import Program
from evolve.search.bandit import OperatorBandit, reward
from evolve.search.individual import Individual
from evolve.search.selection import best
from evolve.search.variation import crossover, mutate

Weights = Callable[[], Mapping[str, float] | None]


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

    def individual(self, edits: Sequence[Edit]) -> Individual:
        return Individual(list(edits)[: self.max_edits], self.fitness_class)

    def fresh_edit(self) -> Edit | None:
        return self.program.random_edit(self.rng, self.site_weights(), self.operator_weights())

    def mutant(self, parent: Individual, steps: int = 1) -> Individual:
        """`parent` changed by `steps` mutations, remembering which operators it took."""
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
        return [self.mutant(seed) for _ in range(self.population)]

    def elites(self, evaluated: Sequence[Individual], champion: Individual) -> list[Individual]:
        """The champion first, then the best others, `elite` of them, carried over unchanged."""
        kept = [champion]
        kept += [e for e in best(evaluated, self.elite) if e.patch != champion.patch]
        return kept[: self.elite + 1]

    def offspring(self, parents: Sequence[Individual], wanted: int) -> list[Individual]:
        """Pairs of parents crossed (messy one-point) or each mutated; `wanted` children."""
        children: list[Individual] = []
        for i in range(0, wanted, 2):
            first, second = parents[i], parents[(i + 1) % len(parents)]
            if self.rng.random() < self.crossover_rate:
                a, b = crossover(list(first), list(second), self.rng)
                children += [self.individual(a), self.individual(b)]
            else:
                children += [self.mutant(first), self.mutant(second)]
        return children[:wanted]


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
