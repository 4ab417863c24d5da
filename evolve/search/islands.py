"""The island model: several subpopulations evolve apart and swap their best now and then.

Islands keep diversity that one lexicase population can lose to an early partial fix: each
island breeds only from itself, and every `interval` generations DEAP's `migRing` sends each
island's best `migrants` to the next island in the ring, replacing the ones that left. The
engine sees one population, the islands laid end to end in a fixed order, so evaluation,
gating and checkpointing need to know nothing about them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from deap import tools

from evolve.search.breeding import Breeder
from evolve.search.individual import Individual
from evolve.search.selection import best

Selector = Callable[[Breeder, Sequence[Individual], int], list[Individual]]


class Islands:
    def __init__(
        self, count: int, selector: Selector, *, interval: int = 5, migrants: int = 2
    ) -> None:
        self.count = max(1, count)
        self.selector = selector
        self.interval = interval
        self.migrants = migrants
        self.generation = 0  # generations bred so far: when the next migration is due

    def sizes(self, population: int) -> list[int]:
        count = min(self.count, max(1, population // 2))  # an island needs two to breed
        base, extra = divmod(population, count)
        return [base + (1 if i < extra else 0) for i in range(count)]

    def initial(self, breeder: Breeder, seed: Individual) -> list[Individual]:
        return breeder.seeded(seed)

    def next_population(
        self, breeder: Breeder, population: list[Individual], champion: Individual
    ) -> list[Individual]:
        islands = self._split(population, self.sizes(breeder.population))
        self.generation += 1
        if len(islands) > 1 and self.generation % self.interval == 0:
            evaluated = [[i for i in island if i.evaluated] for island in islands]
            if all(len(island) > self.migrants for island in evaluated):
                # migRing picks no random numbers: emigrants are each island's best.
                tools.migRing(evaluated, self.migrants, lambda pop, k: best(pop, k))
                islands = evaluated
        result: list[Individual] = []
        for index, (island, size) in enumerate(
            zip(islands, self.sizes(breeder.population), strict=True)
        ):
            result += self._breed(breeder, island, size, champion if index == 0 else None)
        return result

    def _breed(
        self, breeder: Breeder, island: list[Individual], size: int, champion: Individual | None
    ) -> list[Individual]:
        evaluated = [i for i in island if i.evaluated]
        # The run's champion lives on the first island; the others keep their own best.
        kept = breeder.keep([champion] if champion is not None else best(evaluated, 1))
        wanted = size - len(kept)
        pool = evaluated or kept or island
        if not pool:
            return kept
        parents = self.selector(breeder, pool, wanted) if evaluated else list(pool) * wanted
        # Repeats are redrawn around the island's own best, not the run's champion, so the
        # islands stay apart.
        return kept + breeder.offspring(parents, wanted, kept[0] if kept else None)

    @staticmethod
    def _split(population: list[Individual], sizes: list[int]) -> list[list[Individual]]:
        islands, start = [], 0
        for size in sizes:
            islands.append(population[start : start + size])
            start += size
        return islands

    def state(self) -> dict[str, Any]:
        return {"generation": self.generation}

    def restore(self, state: dict[str, Any]) -> None:
        self.generation = int(state["generation"])
