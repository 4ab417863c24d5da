"""Two searches without a population to breed from: local search and random search.

Local search looks only at the champion's neighbours, a batch at a time so the evaluations
still run in parallel: the engine accepts the best improving neighbour of a batch, and the
next batch is drawn around the new champion (first improvement, batch by batch).

Random search is the honest baseline: every individual is an independent patch of 1 to
`max_edits` edits on the seed, drawn uniformly, with neither localisation nor the operator
bandit, so any search that claims to be better must beat it on the same budget. It does not
redraw repeats either (see `Breeder.distinct`): it samples with replacement, as a baseline
should.
"""

from __future__ import annotations

from typing import Any

from evolve.search.breeding import Breeder
from evolve.search.individual import Individual

# A neighbour is one mutation away from the champion, sometimes two: with strict acceptance,
# a fix that needs two edits, neither of which helps alone, is otherwise out of reach.
TWO_STEP_RATE = 0.3


class LocalSearch:
    def initial(self, breeder: Breeder, seed: Individual) -> list[Individual]:
        return breeder.seeded(seed)

    def next_population(
        self, breeder: Breeder, population: list[Individual], champion: Individual
    ) -> list[Individual]:
        kept = breeder.keep([champion])
        neighbours = []
        for _ in range(breeder.population - 1):
            steps = breeder.steps + (1 if breeder.rng.random() < TWO_STEP_RATE else 0)
            neighbours.append(breeder.distinct(breeder.mutant(champion, steps), champion))
        return [*kept, *neighbours]

    def state(self) -> dict[str, Any]:
        return {}  # the champion is the whole state, and the engine holds it

    def restore(self, state: dict[str, Any]) -> None:
        return None


class RandomSearch:
    def initial(self, breeder: Breeder, seed: Individual) -> list[Individual]:
        return self._batch(breeder)

    def next_population(
        self, breeder: Breeder, population: list[Individual], champion: Individual
    ) -> list[Individual]:
        return self._batch(breeder)

    def _batch(self, breeder: Breeder) -> list[Individual]:
        batch = []
        for _ in range(breeder.population):
            size = breeder.rng.randint(1, breeder.max_edits)
            edits = [breeder.program.random_edit(breeder.rng) for _ in range(size)]
            batch.append(breeder.individual([edit for edit in edits if edit is not None]))
        return batch

    def state(self) -> dict[str, Any]:
        return {}

    def restore(self, state: dict[str, Any]) -> None:
        return None
