"""Fitness assignment: an evaluation turned into what selection reads.

Each individual gets one value per test (1.0 passed, 0.0 not) for lexicase, and a scalar
`score` (tests passed, cost, edits) for tournaments, NSGA-II and elitism. The tests are the
task's cases, or for a pytest suite the tests pytest found on the seed; the per-test fitness
class is made once they are known.
"""

from __future__ import annotations

from deap import base

from evolve.acceptance.gate import UNMEASURED_COST
from evolve.search.individual import Individual, case_fitness_class
from evolve.task import Goal, Task
from sandbox import CaseSuite, Evaluation


class Scoring:
    def __init__(self, task: Task) -> None:
        self.task = task
        self.test_names: tuple[str, ...] = ()
        self.fitness_class: type[base.Fitness] = case_fitness_class(1)

    def set_tests(self, seed: Evaluation) -> None:
        """Fix the tests selection reads, from the task or the seed's evaluation."""
        if isinstance(self.task.suite, CaseSuite):
            self.test_names = tuple(case.name for case in self.task.suite.cases)
        else:
            self.test_names = tuple(test.name for test in seed.tests)
        self.fitness_class = case_fitness_class(max(1, len(self.test_names)))

    def assign(self, individual: Individual, evaluation: Evaluation) -> None:
        passed = evaluation.passed_names
        if self.test_names:
            outcomes = tuple(1.0 if name in passed else 0.0 for name in self.test_names)
        else:  # a pytest suite that collected nothing on the seed: count passes instead
            outcomes = (float(evaluation.passed),)
        individual.fitness.values = outcomes
        cost = evaluation.cost if evaluation.cost is not None else UNMEASURED_COST
        if self.task.goal is Goal.REPAIR:
            cost = 0
        individual.score.values = (float(evaluation.passed), float(cost), float(len(individual)))
        individual.evaluation = evaluation
