"""The search algorithms behind `evolve run --algorithm NAME`, and the one interface they share.

An algorithm decides what the next population is, given the last one evaluated; evaluating,
gating and recording stay in the engine, so every algorithm is judged by the same rules and
spends the same budget. Each keeps whatever state it needs between generations and exposes it
as `state()` / `restore()`, JSON-able, so a checkpoint can hold it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from evolve.search.baselines import LocalSearch, RandomSearch
from evolve.search.breeding import Breeder
from evolve.search.individual import Individual
from evolve.search.islands import Islands
from evolve.search.selection import (
    Selection,
    select,
    select_epsilon_lexicase,
    select_nsga2,
)


class Algorithm(enum.StrEnum):
    LEXICASE = "lexicase"  # generational GA, lexicase selection on per-test outcomes
    EPSILON_LEXICASE = "epsilon-lexicase"  # automatic epsilon-lexicase, cost as a case too
    TOURNAMENT = "tournament"  # generational GA, tournaments on (passed, cost, edits)
    NSGA2 = "nsga2"  # parents from the NSGA-II survivors on (passed, cost, edits)
    LOCAL = "local"  # neighbours of the champion only
    RANDOM = "random"  # independent random patches on the seed: the baseline
    ISLANDS = "islands"  # lexicase GAs on subpopulations with ring migration

    def describe(self) -> str:
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    Algorithm.LEXICASE: "generational GA, lexicase parent selection",
    Algorithm.EPSILON_LEXICASE: "generational GA, automatic epsilon-lexicase selection",
    Algorithm.TOURNAMENT: "generational GA, tournament selection",
    Algorithm.NSGA2: "generational GA, NSGA-II on tests passed, cost and patch size",
    Algorithm.LOCAL: "local search: batches of the champion's neighbours",
    Algorithm.RANDOM: "random search: independent random patches of the seed",
    Algorithm.ISLANDS: "island model: lexicase GAs with ring migration",
}


class Strategy(Protocol):
    def initial(self, breeder: Breeder, seed: Individual) -> list[Individual]: ...

    def next_population(
        self, breeder: Breeder, population: list[Individual], champion: Individual
    ) -> list[Individual]: ...

    def state(self) -> dict[str, Any]: ...

    def restore(self, state: dict[str, Any]) -> None: ...


Selector = Callable[[Breeder, Sequence[Individual], int], list[Individual]]


class Generational:
    """A generational GA: elites, then children of parents picked by `selector`."""

    def __init__(self, selector: Selector) -> None:
        self.selector = selector

    def initial(self, breeder: Breeder, seed: Individual) -> list[Individual]:
        return breeder.seeded(seed)

    def next_population(
        self, breeder: Breeder, population: list[Individual], champion: Individual
    ) -> list[Individual]:
        evaluated = [individual for individual in population if individual.evaluated]
        elites = breeder.elites(evaluated, champion)
        wanted = breeder.population - len(elites)
        parents = self.selector(breeder, evaluated, wanted) if evaluated else [champion] * wanted
        return elites + breeder.offspring(parents, wanted, champion)

    def state(self) -> dict[str, Any]:
        return {}  # everything it needs is in the population

    def restore(self, state: dict[str, Any]) -> None:
        return None


def make_strategy(
    algorithm: Algorithm, *, tournament_size: int = 3, with_cost: bool = False, islands: int = 4
) -> Strategy:
    def lexicase(b: Breeder, pool: Sequence[Individual], k: int) -> list[Individual]:
        return select(Selection.LEXICASE, pool, k, b.rng)

    if algorithm is Algorithm.LEXICASE:
        return Generational(lexicase)
    if algorithm is Algorithm.TOURNAMENT:
        return Generational(
            lambda b, pool, k: select(Selection.TOURNAMENT, pool, k, b.rng, tournament_size)
        )
    if algorithm is Algorithm.EPSILON_LEXICASE:
        return Generational(
            lambda b, pool, k: select_epsilon_lexicase(pool, k, b.rng, with_cost=with_cost)
        )
    if algorithm is Algorithm.NSGA2:
        return Generational(lambda b, pool, k: select_nsga2(pool, k, b.rng))
    if algorithm is Algorithm.LOCAL:
        return LocalSearch()
    if algorithm is Algorithm.RANDOM:
        return RandomSearch()
    return Islands(islands, lexicase)
