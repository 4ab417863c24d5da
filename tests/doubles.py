"""Test doubles for the engine's seams: stand-ins the tests use where the real part would
only cost time or hide what a test checks.

Import them as `from tests.doubles import ...`: pytest's importlib mode makes the `tests`
folder importable by that name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from evolve.evaluation.jobs import EvaluationJob
from sandbox import Evaluation, Sandbox

T = TypeVar("T")
R = TypeVar("R")


class SerialExecutor:
    """The `Executor` protocol in the calling thread, one job after another: a test can
    interrupt between two jobs, and a run's decisions can be compared with a threaded one's."""

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        return [fn(item) for item in items]

    def evaluate(self, jobs: Iterable[EvaluationJob], sandbox: Sandbox) -> list[Evaluation]:
        return self.map(lambda job: job.run(sandbox), jobs)

    def close(self) -> None:
        pass
