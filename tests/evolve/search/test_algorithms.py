"""Every algorithm behind `--algorithm`: it runs a tiny task end to end, and the same seed
gives the same accepted lineage; plus the pieces that can be checked without a run."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from evolve.operators import OPERATORS
from evolve.program.program import Program
from evolve.run import RunRequest, RunSummary, start_run
from evolve.search import Algorithm, SearchSettings
from evolve.search.bandit import OperatorBandit
from evolve.search.breeding import Breeder, credit
from evolve.search.individual import Individual, case_fitness_class
from evolve.search.islands import Islands
from evolve.search.selection import select_epsilon_lexicase, select_nsga2
from evolve.store.database import RunStore
from tests.doubles import Quiet


def lineage(summary: RunSummary) -> list[tuple[str, str]]:
    store = RunStore.open(Path(summary.run_dir))
    try:
        return [(change.patch, change.fitness_after) for change in store.accepted()]
    finally:
        store.close()


@pytest.mark.slow
@pytest.mark.parametrize("algorithm", list(Algorithm))
def test_each_algorithm_runs_and_is_deterministic(
    algorithm: Algorithm, add_task: Path, tmp_path: Path
) -> None:
    settings = SearchSettings(population=12, algorithm=algorithm)
    summaries = [
        start_run(
            RunRequest(add_task, seed=3, budget=150, runs_dir=tmp_path / str(i), settings=settings),
            Quiet(),
        )
        for i in range(2)
    ]
    first, second = summaries
    assert first.evaluations <= 150
    assert lineage(first) == lineage(second)
    assert first.evaluations == second.evaluations
    if algorithm is not Algorithm.RANDOM:
        assert first.solved  # one wrong operator: every guided search finds it


def _population(values: list[tuple[list[float], tuple[float, float, float]]]) -> list[Individual]:
    fitness = case_fitness_class(len(values[0][0]))
    population = []
    for outcomes, score in values:
        individual = Individual([], fitness)
        individual.fitness.values = tuple(outcomes)
        individual.score.values = score
        population.append(individual)
    return population


def test_nsga2_draws_parents_from_the_better_half() -> None:
    population = _population(
        [
            ([1.0, 1.0], (2.0, 0.0, 1.0)),
            ([1.0, 0.0], (1.0, 0.0, 1.0)),
            ([0.0, 0.0], (0.0, 0.0, 3.0)),
            ([0.0, 0.0], (0.0, 0.0, 4.0)),
        ]
    )
    parents = select_nsga2(population, 20, random.Random(1))
    assert len(parents) == 20
    assert {id(p) for p in parents} <= {id(population[0]), id(population[1])}


def test_epsilon_lexicase_uses_the_cost_for_speedups() -> None:
    population = _population([([1.0], (1.0, 100.0, 1.0)), ([1.0], (1.0, 5.0, 1.0))])
    chosen = select_epsilon_lexicase(population, 10, random.Random(2), with_cost=True)
    assert all(individual is population[1] for individual in chosen)


def test_islands_sizes_and_state() -> None:
    islands = Islands(4, lambda b, pool, k: list(pool)[:k])
    assert islands.sizes(10) == [3, 3, 2, 2]
    assert islands.sizes(3) == [3]  # too small to split: an island needs two to breed
    islands.generation = 7
    copy = Islands(4, lambda b, pool, k: [])
    copy.restore(json.loads(json.dumps(islands.state())))
    assert copy.generation == 7


def test_mutants_credit_the_bandit_once() -> None:
    program = Program.parse("def f(a, b):\n    return a - b\n")
    bandit = OperatorBandit(OPERATORS)
    fitness = case_fitness_class(1)
    breeder = Breeder(
        program=program,
        rng=random.Random(5),
        fitness_class=fitness,
        population=4,
        elite=1,
        max_edits=3,
        crossover_rate=0.0,
        site_weights=lambda: None,
        operator_weights=bandit.weights,
    )
    seed = Individual([], fitness)
    seed.score.values = (0.0, 0.0, 0.0)
    children = breeder.seeded(seed)
    assert len(children) == 4 and all(child.origin is not None for child in children)
    for child in children:
        child.score.values = (1.0, 0.0, 1.0)
    credit(bandit, children)
    assert sum(bandit.uses.values()) >= 4
    assert all(child.origin is None for child in children)
    before = dict(bandit.uses)
    credit(bandit, children)
    assert bandit.uses == before


def test_random_edit_follows_operator_weights() -> None:
    program = Program.parse("def f(a, b):\n    return a - b\n")
    rng = random.Random(0)
    weights = {"binary-operator": 1.0}
    edits = [program.random_edit(rng, operator_weights=weights) for _ in range(50)]
    # Sites that do not offer the operator fall back to drawing alike; those that do, use it.
    offered = {s.address for s in program.sites if "binary-operator" in _names(program, s.address)}
    assert offered
    assert all(e is not None for e in edits)
    assert all(
        e.operator == "binary-operator" for e in edits if e is not None and e.site in offered
    )


def _names(program: Program, address: str) -> set[str]:
    return {edit.operator for edit in program.edits_at(address)}
