"""`--executor dask://HOST:PORT`: evaluations on a Dask `distributed` cluster.

The engine stays where it is: it renders variants, checks `forbid`, keeps the cache and writes
the store. Only jobs (plain data, see `evolve.evaluation.jobs`) travel. Each Dask worker
process runs them in a sandbox of its own, started on its first job and closed when the worker
closes (a worker plugin holds it); its fork-server workers are separate clean processes, as on
one machine, so the Dask worker's threads never fork. Results come back in input order, so a
run decides exactly as it would locally.

Jobs travel in chunks, a few per Dask thread, one Dask task each: every task has a fixed cost
in the client, the scheduler and the worker, and with one task per job that cost held a
two-core cluster to about half the local executor's rate (`benchmarks/perf/dask_scaling.py`).
A few chunks per thread rather than one keep the threads busy to the end of a batch when some
variants run much longer than others.

The workers need the same version of this package (with the `distributed` extra): a job
names the function that runs it, and a worker imports it from there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from distributed import Client, Future, get_worker
from distributed.diagnostics.plugin import WorkerPlugin

from evolve import __version__
from evolve.errors import UsageError
from evolve.evaluation.jobs import EvaluationJob, JobRunner
from sandbox import Evaluation, Sandbox

T = TypeVar("T")
R = TypeVar("R")

PLUGIN_NAME = "evolve-sandbox"
CONNECT_TIMEOUT_S = 10.0
# How long a run waits for the first worker to join: a cluster is often started together
# with the run that uses it.
WORKER_WAIT_S = 60.0
CHUNKS_PER_THREAD = 3


class SandboxPlugin(WorkerPlugin):
    """Holds one Dask worker's sandboxes: one fork-server worker per Dask thread."""

    name = PLUGIN_NAME
    # A second run finds the sandboxes of the first still warm instead of replacing them.
    idempotent = True

    def __init__(self) -> None:
        self.runner: JobRunner | None = None

    def setup(self, worker: Any) -> None:
        self.runner = JobRunner(workers=worker.state.nthreads)

    def teardown(self, worker: Any) -> None:
        runner, self.runner = self.runner, None
        if runner is not None:
            runner.close()


def run_job(job: EvaluationJob) -> Evaluation:
    """What a Dask worker runs for one job."""
    plugin = get_worker().plugins.get(PLUGIN_NAME)
    if not isinstance(plugin, SandboxPlugin) or plugin.runner is None:
        raise RuntimeError("this Dask worker has no evolve sandbox plugin")
    return plugin.runner.run(job)


def run_chunk(fn: Callable[[T], R], items: list[T]) -> list[R]:
    """What a Dask worker runs for one task: a chunk of items, in order."""
    return [fn(item) for item in items]


def chunks(items: list[T], count: int) -> list[list[T]]:
    """`items` cut into at most `count` runs of consecutive items, the lengths at most one
    apart, so that joining them gives `items` back."""
    count = max(1, min(count, len(items)))
    size, longer = divmod(len(items), count)
    cuts, start = [], 0
    for index in range(count):
        end = start + size + (index < longer)
        cuts.append(items[start:end])
        start = end
    return cuts


def engine_version() -> str:
    return __version__


class DaskExecutor:
    """Jobs as Dask tasks, a chunk each, gathered in input order."""

    def __init__(self, client: Client) -> None:
        self.client = client

    @classmethod
    def connect(
        cls,
        address: str,
        *,
        timeout_s: float = CONNECT_TIMEOUT_S,
        wait_s: float = WORKER_WAIT_S,
    ) -> DaskExecutor:
        """Connect, wait for a worker, check the workers' version, install the sandbox
        plugin. Any failure is a `UsageError` naming the scheduler."""
        where = f"dask://{address}"
        try:
            client = Client(f"tcp://{address}", timeout=timeout_s, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise UsageError(f"{where}: cannot reach the Dask scheduler ({exc})") from None
        try:
            try:
                client.wait_for_workers(1, timeout=wait_s)
            except TimeoutError:
                raise UsageError(f"{where}: no Dask worker joined within {wait_s:g} s") from None
            try:
                versions = client.run(engine_version)
            except ImportError as exc:
                raise UsageError(f"{where}: a worker cannot import evolve ({exc})") from None
            stale = sorted(w for w, v in versions.items() if v != __version__)
            if stale:
                raise UsageError(
                    f"{where}: worker {stale[0]} runs evolve {versions[stale[0]]},"
                    f" this engine {__version__}: install the same version on every worker"
                )
            client.register_plugin(SandboxPlugin())
        except BaseException:
            client.close()
            raise
        return cls(client)

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        given = list(items)
        if not given:
            return []
        # Asked at every batch: workers may have joined or left since the last one.
        threads = sum(self.client.nthreads().values())
        parts = chunks(given, threads * CHUNKS_PER_THREAD)
        futures = self.client.map(run_chunk, [fn] * len(parts), parts, pure=False)
        return [result for part in self._gather(futures) for result in part]

    def evaluate(self, jobs: Iterable[EvaluationJob], sandbox: Sandbox) -> list[Evaluation]:
        # `sandbox` is the engine's own; the jobs run in each worker's.
        return self.map(run_job, jobs)

    def _gather(self, futures: list[Future[Any]]) -> list[Any]:
        try:
            return list(self.client.gather(futures))
        except BaseException:
            # A Ctrl-C or a failed job: the rest of the batch is not wanted any more.
            self.client.cancel(futures)
            raise

    def close(self) -> None:
        self.client.close()
