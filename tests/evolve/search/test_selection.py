"""The search's own lexicase against DEAP's: the same generator state, the same choices."""

from __future__ import annotations

import random

import pytest
from deap import tools

from evolve.search.individual import Individual, case_fitness_class
from evolve.search.selection import deap_random, lexicase


@pytest.mark.parametrize("seed", range(20))
def test_lexicase_chooses_what_deap_chooses(seed: int) -> None:
    draw = random.Random(seed)
    tests = draw.randint(1, 12)
    fitness = case_fitness_class(tests)
    population = []
    for _ in range(draw.randint(1, 40)):
        individual = Individual((), fitness)
        # Few distinct values, so that ties (the interesting part) are common.
        individual.fitness.values = tuple(float(draw.randint(0, 1)) for _ in range(tests))
        population.append(individual)
    k = draw.randint(1, 40)
    with deap_random(random.Random(seed)):
        expected = tools.selLexicase(population, k)
    with deap_random(random.Random(seed)) as private:
        chosen = lexicase(population, k, private)
    assert [id(i) for i in chosen] == [id(i) for i in expected]
