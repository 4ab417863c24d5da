"""Parent selection through DEAP, driven by the run's own random generator.

DEAP's selection and crossover functions draw from the global `random` module. To keep one
seeded generator per run (same seed, same run) without touching anyone else's randomness,
each call seeds the global generator from the run's generator and restores it afterwards.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from deap import tools

from evolve.search.individual import Individual


class Selection(enum.StrEnum):
    LEXICASE = "lexicase"  # per-test outcomes, one test at a time in random order
    TOURNAMENT = "tournament"  # on the scalar score


@contextmanager
def deap_random(rng: random.Random) -> Iterator[None]:
    saved = random.getstate()
    random.seed(rng.getrandbits(64))
    try:
        yield
    finally:
        random.setstate(saved)


def select(
    selection: Selection,
    individuals: Sequence[Individual],
    k: int,
    rng: random.Random,
    tournament_size: int = 3,
) -> list[Individual]:
    with deap_random(rng):
        if selection is Selection.LEXICASE:
            chosen: list[Individual] = tools.selLexicase(list(individuals), k)
        else:
            chosen = tools.selTournament(
                list(individuals), k, tournsize=tournament_size, fit_attr="score"
            )
    return chosen


def best(individuals: Sequence[Individual], k: int) -> list[Individual]:
    ranked: list[Individual] = tools.selBest(list(individuals), k, fit_attr="score")
    return ranked
