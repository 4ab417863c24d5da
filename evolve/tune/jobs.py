"""One bench run as a job: here, one after another, or on a Dask cluster, one job a task.

A job is plain data (a task folder, the settings as JSON, a seed, a budget), so it travels to
a Dask worker as it is. A bench run is coarse (seconds to minutes, its own sandbox on every
core of the machine it lands on), so unlike evaluation jobs they are not chunked. A task under
the bundled benchmarks is named relative to them, so a worker finds it in its own
installation; any other task folder must be at the same path on every worker (a shared file
system). Outcomes come back in the order the jobs were given, so the tuning loop decides alike
wherever the runs ran.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TextIO

from evolve.bench import Outcome, bench_run
from evolve.evaluation.executor import DASK_SCHEME, LOCAL, check_executor
from evolve.search import SearchSettings

BUNDLED = "bundled:"
_BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"

# The engine's DEAP calls point DEAP's modules at a private generator for their duration, so
# two searches in one process at once would draw from each other's: one bench run at a time
# per process (a Dask worker with several threads runs its jobs one after another).
_ONE_RUN = threading.Lock()


@dataclass(frozen=True)
class BenchJob:
    task: str  # a task folder: BUNDLED + its path under benchmarks/, or an absolute path
    settings: dict[str, Any] = field(hash=False)  # SearchSettings.to_json()
    seed: int
    budget: int  # evaluations for this run
    hide_holdout: bool = False


def portable_task(path: Path) -> str:
    """How a job names a task folder: relative to the bundled benchmarks when it is one of
    them (any installation of the same version has them), else its absolute path."""
    resolved = path.resolve()
    if resolved.is_relative_to(_BENCHMARKS):
        return BUNDLED + resolved.relative_to(_BENCHMARKS).as_posix()
    return str(resolved)


def task_path(task: str) -> Path:
    if task.startswith(BUNDLED):
        return _BENCHMARKS / task.removeprefix(BUNDLED)
    return Path(task)


def run_job(job: BenchJob) -> Outcome:
    """One bench run, its run directory in a temporary folder removed afterwards (the tuning
    store keeps the outcome)."""
    settings = SearchSettings.from_json(job.settings)
    with _ONE_RUN:
        runs_dir = Path(tempfile.mkdtemp(prefix="evolve-tune-"))
        try:
            return bench_run(
                task_path(job.task), settings, job.seed, job.budget, runs_dir, job.hide_holdout
            )
        finally:
            shutil.rmtree(runs_dir, ignore_errors=True)


class Runner(Protocol):
    """Runs jobs, yielding outcomes in job order. The tuning loop may stop taking them (the
    budget is spent): closing the iterator drops the jobs not yet taken."""

    def run(self, jobs: Sequence[BenchJob]) -> Generator[Outcome, None, None]: ...

    def close(self) -> None: ...


class LocalRunner:
    """Each job in this process, when the loop takes its outcome: one after another, each run
    using every core for its evaluations, as `evolve bench` does."""

    def __init__(self, log: TextIO | None = sys.stderr) -> None:
        self.log = log

    def run(self, jobs: Sequence[BenchJob]) -> Generator[Outcome, None, None]:
        for job in jobs:
            outcome = run_job(job)
            _print(self.log, outcome)
            yield outcome

    def close(self) -> None:
        return None


class DaskRunner:
    """Every job of a batch sent at once, one Dask task each; outcomes gathered in order."""

    def __init__(self, client: Any, log: TextIO | None = sys.stderr) -> None:
        self.client = client
        self.log = log

    def run(self, jobs: Sequence[BenchJob]) -> Generator[Outcome, None, None]:
        if not jobs:
            return
        futures = self.client.map(run_job, list(jobs), pure=False)
        try:
            for future in futures:
                outcome: Outcome = future.result()
                _print(self.log, outcome)
                yield outcome
        finally:
            # Ctrl-C, a failed job or the budget spent: the rest of the batch is not wanted.
            self.client.cancel(futures)

    def close(self) -> None:
        self.client.close()


def connect_runner(spec: str, log: TextIO | None = sys.stderr) -> Runner:
    """The runner for `--executor`: `local`, or `dask://HOST:PORT` (connected before this
    returns; an unreachable scheduler is a UsageError)."""
    if check_executor(spec) == LOCAL:
        return LocalRunner(log)
    from evolve.evaluation.executor import connect_executor

    executor = connect_executor(spec)  # the `distributed` extra's check and the connection
    client = getattr(executor, "client", None)
    if client is None:  # pragma: no cover - connect_executor gives a DaskExecutor here
        raise TypeError(f"{spec} gave no Dask client")
    assert spec.startswith(DASK_SCHEME)
    return DaskRunner(client, log)


def _print(log: TextIO | None, outcome: Outcome) -> None:
    if log is None:
        return
    verdict = outcome.error or ("solved" if outcome.solved else "not solved")
    if outcome.plausible_wrong:
        verdict = "plausible but wrong"
    print(
        f"tune: {outcome.algorithm} {outcome.task} seed {outcome.seed}: {verdict};"
        f" {outcome.evaluations} evaluations in {outcome.wall_s:.1f} s",
        file=log,
        flush=True,
    )
