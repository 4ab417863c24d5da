"""Executors run evaluations with the shape of `map`: results come back in input order.

Order matters for determinism: the engine decides on results in population order, so which
evaluation finishes first can never change the lineage.

`--executor local` (the default) runs jobs on the engine's own sandbox from a thread pool;
`--executor dask://HOST:PORT` sends them to a Dask `distributed` cluster, where each worker
runs them in a sandbox of its own (`evolve.evaluation.dask_executor`, imported only when
asked for, so the `distributed` extra stays optional).
"""

from __future__ import annotations

import abc
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol, TypeVar

from evolve.errors import UsageError
from evolve.evaluation.jobs import EvaluationJob
from sandbox import Evaluation, Sandbox

T = TypeVar("T")
R = TypeVar("R")

LOCAL = "local"
DASK_SCHEME = "dask://"


class Executor(Protocol):
    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]: ...

    def evaluate(self, jobs: Iterable[EvaluationJob], sandbox: Sandbox) -> list[Evaluation]:
        """Each job's evaluation, in input order. In-process executors run the jobs on
        `sandbox`; a remote one ignores it and uses a sandbox where the job lands. `jobs`
        may be lazy: the local executor starts each job as soon as it is taken, while the
        engine makes the next one."""
        ...

    def close(self) -> None: ...


class _InProcess(abc.ABC):
    """Executors whose work stays in this process: jobs run on the engine's sandbox."""

    @abc.abstractmethod
    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]: ...

    def evaluate(self, jobs: Iterable[EvaluationJob], sandbox: Sandbox) -> list[Evaluation]:
        return self.map(lambda job: job.run(sandbox), jobs)


class LocalExecutor(_InProcess):
    """One thread per core, each supervising one sandboxed child process at a time.

    Threads suffice: the work happens in the child processes, the threads only wait on pipes.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="evaluate")

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        return list(self._pool.map(fn, items))

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def check_executor(spec: str) -> str:
    """`local` or `dask://HOST:PORT`; anything else is a usage error."""
    if spec == LOCAL:
        return spec
    if spec.startswith(DASK_SCHEME):
        host, _, port = spec.removeprefix(DASK_SCHEME).rpartition(":")
        if host and port.isdigit():
            return spec
    raise UsageError(f"--executor {spec!r}: use 'local' or 'dask://HOST:PORT'")


def connect_executor(spec: str) -> Executor:
    """The executor a run asked for by name; a cluster is connected to before this returns."""
    if check_executor(spec) == LOCAL:
        return LocalExecutor()
    try:
        from evolve.evaluation.dask_executor import (
            DaskExecutor,  # only with the `distributed` extra
        )
    except ModuleNotFoundError as exc:
        if exc.name is None or exc.name.partition(".")[0] not in ("dask", "distributed"):
            raise
        raise UsageError(
            f"--executor {spec}: needs Dask distributed: pip install 'evolve[distributed]'"
        ) from None
    return DaskExecutor.connect(spec.removeprefix(DASK_SCHEME))
