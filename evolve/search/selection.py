"""Parent selection through DEAP, driven by the run's own random generator.

DEAP's selection and crossover functions draw from the global `random` module. To keep one
seeded generator per run (same seed, same run) without touching anyone else's randomness,
each call points DEAP's modules at a private generator seeded from the run's generator. The
global generator itself is never seeded: other threads draw from it at any time (Dask's
client samples collections with it while it sends), and a draw between seeding it and
DEAP's calls would change the run.
"""

from __future__ import annotations

import enum
import random
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from deap import base, tools

from evolve.search.individual import Individual


class Selection(enum.StrEnum):
    LEXICASE = "lexicase"  # per-test outcomes, one test at a time in random order
    TOURNAMENT = "tournament"  # on the scalar score


# The DEAP modules whose functions the search calls; each does `import random`.
_DEAP_MODULES = tuple(
    sys.modules[f"deap.tools.{name}"] for name in ("selection", "emo", "crossover", "mutation")
)


@contextmanager
def deap_random(rng: random.Random) -> Iterator[random.Random]:
    # Seeded as the global generator used to be, so a seed keeps the lineage it had.
    private = random.Random(rng.getrandbits(64))
    saved = [module.random for module in _DEAP_MODULES]
    for module in _DEAP_MODULES:
        setattr(module, "random", private)  # noqa: B010 (mypy: a module is not a Random)
    try:
        yield private
    finally:
        for module, original in zip(_DEAP_MODULES, saved, strict=True):
            setattr(module, "random", original)  # noqa: B010


def select(
    selection: Selection,
    individuals: Sequence[Individual],
    k: int,
    rng: random.Random,
    tournament_size: int = 3,
) -> list[Individual]:
    with deap_random(rng) as private:
        if selection is Selection.LEXICASE:
            chosen: list[Individual] = lexicase(list(individuals), k, private)
        else:
            chosen = tools.selTournament(
                list(individuals), k, tournsize=tournament_size, fit_attr="score"
            )
    return chosen


def lexicase(individuals: list[Individual], k: int, generator: random.Random) -> list[Individual]:
    """`deap.tools.selLexicase` with `generator` as its `random`: the same draws in the same
    order, so the same choices (a test holds them equal). DEAP recomputes every fitness
    value tuple for every comparison, a sixth of the engine's own time; here each
    individual's values are read once."""
    weights = individuals[0].fitness.weights
    table = [individual.fitness.values for individual in individuals]
    everyone = list(range(len(individuals)))
    chosen = []
    for _ in range(k):
        candidates = everyone
        cases = list(range(len(table[0])))
        generator.shuffle(cases)
        for case in cases:
            if len(candidates) <= 1:
                break
            column = [table[i][case] for i in candidates]
            target = max(column) if weights[case] > 0 else min(column)
            candidates = [i for i, value in zip(candidates, column, strict=True) if value == target]
        chosen.append(individuals[generator.choice(candidates)])
    return chosen


def best(individuals: Sequence[Individual], k: int) -> list[Individual]:
    ranked: list[Individual] = tools.selBest(list(individuals), k, fit_attr="score")
    return ranked


class _View:
    """An individual seen through another fitness, for DEAP functions that read `.fitness`."""

    def __init__(self, individual: Individual, fitness: base.Fitness) -> None:
        self.individual = individual
        self.fitness = fitness


def select_epsilon_lexicase(
    individuals: Sequence[Individual], k: int, rng: random.Random, *, with_cost: bool
) -> list[Individual]:
    """Automatic epsilon-lexicase on the per-test outcomes, plus the cost as one more case
    (minimised) for a speed-up, where every variant that survives passes every test and
    plain lexicase would have nothing to tell them apart by."""
    views = []
    for individual in individuals:
        values = tuple(individual.fitness.values)
        weights = (1.0,) * len(values)
        if with_cost:
            values += (individual.score.values[1],)
            weights += (-1.0,)
        fitness = type("EpsilonFitness", (base.Fitness,), {"weights": weights})(values)
        views.append(_View(individual, fitness))
    with deap_random(rng):
        chosen = tools.selAutomaticEpsilonLexicase(views, k)
    return [view.individual for view in chosen]


def select_nsga2(individuals: Sequence[Individual], k: int, rng: random.Random) -> list[Individual]:
    """NSGA-II on (tests passed, cost, edits): the better half by non-dominated rank and
    crowding survives, and the `k` parents are drawn from the survivors alike."""
    views = [_View(individual, individual.score) for individual in individuals]
    with deap_random(rng):
        survivors = tools.selNSGA2(views, max(1, len(views) // 2))
    return [rng.choice(survivors).individual for _ in range(k)]
