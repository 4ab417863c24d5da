"""The search's checkpoint: taken at the end of every generation, restored by `evolve resume`.

A checkpoint holds what the next generation depends on and the store does not (see
`evolve.store.checkpoint`); restoring it rebuilds the population's fitnesses from the
evaluations the store keeps, so the loop goes on exactly as if it had never stopped.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Protocol

from evolve.acceptance.acceptor import Acceptor, Champion
from evolve.errors import RunStateError
from evolve.evaluation.evaluator import HOLDOUT, SEARCH, Evaluator, Variant
from evolve.search.individual import Individual
from evolve.search.scoring import Scoring
from evolve.store.checkpoint import (
    Checkpoint,
    components,
    restore_components,
    rng_state,
    set_rng_state,
)
from evolve.store.database import RunStore
from sandbox import Evaluation


class Search(Protocol):
    """What a checkpoint reads and restores of the search; its other attributes that have
    `state()` and `restore()` are checkpointed too, found by shape (`components`)."""

    rng: random.Random
    evaluator: Evaluator
    scoring: Scoring
    acceptor: Acceptor
    store: RunStore
    started: float


@dataclass
class LoopState:
    """Where the generational loop is; a checkpoint saves it with the components' state."""

    generation: int  # the last generation evaluated (0: none yet)
    stale: int
    population: list[Individual]
    champion: Champion


def take(search: Search, loop: LoopState) -> Checkpoint:
    """The checkpoint of `search` at the end of `loop.generation`."""
    return Checkpoint(
        generation=loop.generation,
        stale=loop.stale,
        population=[individual.patch for individual in loop.population],
        evaluated=[individual.evaluated for individual in loop.population],
        champion=loop.champion.variant.patch,
        champion_hash=loop.champion.variant.digest,
        rng=rng_state(search.rng),
        counters=search.evaluator.counters(),
        holdout_rejections=search.acceptor.holdout_rejections,
        accepted=len(search.acceptor.accepted),
        elapsed_s=round(time.monotonic() - search.started, 3),
        components={name: part.state() for name, part in components(search).items()},
    )


def restore(search: Search, checkpoint: Checkpoint) -> LoopState:
    """The loop as `checkpoint` left it, with `search`'s parts set back to that moment. The
    store must hold exactly what it held then (see `RunStore.rewind`): the evaluator's cache
    is rebuilt from it."""
    evaluator, scoring = search.evaluator, search.scoring
    set_rng_state(search.rng, checkpoint.rng)
    evaluator.restore(checkpoint.counters)

    def cached(variant: Variant) -> Evaluation:
        evaluation = evaluator.cached(variant, SEARCH)
        if evaluation is None:
            raise RunStateError(f"the store holds no evaluation of variant {variant.digest[:12]}")
        return evaluation

    scoring.set_tests(cached(evaluator.variant(())))
    champion_variant = evaluator.variant(checkpoint.champion)
    if champion_variant.digest != checkpoint.champion_hash:
        raise RunStateError("the champion renders differently: the seed or the engine changed")
    champion = Champion(
        champion_variant, cached(champion_variant), evaluator.cached(champion_variant, HOLDOUT)
    )
    evaluator.plan_against(champion.evaluation, champion.holdout)
    population = []
    for patch, evaluated in zip(checkpoint.population, checkpoint.evaluated, strict=True):
        individual = Individual(patch, scoring.fitness_class)
        if evaluated:
            scoring.assign(individual, cached(evaluator.variant(patch)))
        population.append(individual)
    accepted = search.store.accepted()
    if len(accepted) != checkpoint.accepted:
        raise RunStateError(
            f"the store holds {len(accepted)} accepted changes,"
            f" the checkpoint {checkpoint.accepted}"
        )
    search.acceptor.accepted = accepted
    search.acceptor.holdout_rejections = checkpoint.holdout_rejections
    search.started -= checkpoint.elapsed_s
    restore_components(search, checkpoint.components)
    return LoopState(checkpoint.generation, checkpoint.stale, population, champion)
