"""Individuals: lists of edits carrying DEAP fitnesses.

DEAP's `creator` writes classes into module globals; here the classes are plain subclasses so
nothing needs global set-up. The per-test fitness has one weight per test, known only once
the task is loaded, so its class is made per run by `case_fitness_class`.
"""

from __future__ import annotations

from collections.abc import Iterable

from deap import base

from evolve.program.patch import Edit, Patch
from sandbox import Evaluation


class ScoreFitness(base.Fitness):  # type: ignore[misc]
    """Scalar view for tournaments and elitism: (tests passed, cost, edits); fewer is better
    for the last two, so a smaller patch wins a tie."""

    weights = (1.0, -1.0, -1.0)


def case_fitness_class(tests: int) -> type[base.Fitness]:
    """A Fitness with one maximised value per test: 1.0 passed, 0.0 not (for lexicase)."""
    return type("CaseFitness", (base.Fitness,), {"weights": (1.0,) * tests})


class Individual(list[Edit]):
    """A patch under evolution. `fitness` holds per-test outcomes, `score` the scalar view."""

    def __init__(self, edits: Iterable[Edit], fitness_class: type[base.Fitness]) -> None:
        super().__init__(edits)
        self.fitness = fitness_class()
        self.score = ScoreFitness()
        self.evaluation: Evaluation | None = None
        # How mutation made it: the operators of its fresh edits and its parent's score, so
        # the operator bandit can credit them once it is evaluated. None: nothing to credit.
        self.origin: tuple[tuple[str, ...], tuple[float, ...]] | None = None
        # A union of two partial fixes (`combining`): evaluated with its generation, then
        # left out of the population the next one is bred from.
        self.joined = False

    @property
    def patch(self) -> Patch:
        return tuple(self)

    @property
    def evaluated(self) -> bool:
        return self.evaluation is not None
