"""Executors return results in input order; evaluation jobs are plain data that pickle."""

from __future__ import annotations

import pickle
import socket
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from evolve.errors import UsageError
from evolve.evaluation.executor import (
    LocalExecutor,
    check_executor,
    connect_executor,
)
from evolve.evaluation.jobs import EvaluationJob, JobRunner, portable_files
from sandbox import (
    Case,
    CaseSuite,
    Evaluation,
    Limits,
    PytestSuite,
    Status,
    Suite,
    TestOutcome,
)

SUITE = CaseSuite("add", (Case("one", (1, 2), {}, 3), Case("kw", (), {"a": 2, "b": 0}, 2)))


def job(source: str, suite: Suite = SUITE, **changes: object) -> EvaluationJob:
    return EvaluationJob(source, suite, Limits(), "variant", **changes)  # type: ignore[arg-type]


class EchoSandbox:
    """Answers with the source as the message, slower for earlier jobs: a pool that returned
    results as they finish would return them reversed."""

    def __init__(self, delays: dict[str, float]) -> None:
        self.delays = delays

    def evaluate(
        self,
        source: str,
        suite: Suite,
        limits: Limits,
        *,
        module_name: str = "variant",
        measure_cost: bool = False,
    ) -> Evaluation:
        time.sleep(self.delays.get(source, 0.0))
        return Evaluation(Status.OK, message=source)

    def close(self) -> None:
        pass


def test_results_come_back_in_input_order() -> None:
    executor = LocalExecutor(4)
    try:
        delays = {str(i): 0.05 - i * 0.01 for i in range(5)}
        results = executor.evaluate([job(str(i)) for i in range(5)], EchoSandbox(delays))
        assert [r.message for r in results] == ["0", "1", "2", "3", "4"]
        assert executor.map(lambda x: x * 2, [3, 1, 2]) == [6, 2, 4]
    finally:
        executor.close()


def test_jobs_and_evaluations_pickle(tmp_path: Path) -> None:
    test_file = tmp_path / "test_add.py"
    test_file.write_text("from variant import add\n\ndef test_add():\n    assert add(1, 2) == 3\n")
    pytest_suite = PytestSuite(test_file)
    for original in (
        job("def add(a, b):\n    return a + b\n", measure_cost=True, sandbox="process"),
        job("x = 1\n", pytest_suite, test_files=portable_files(pytest_suite)),
    ):
        assert pickle.loads(pickle.dumps(original)) == original
    evaluation = Evaluation(
        Status.FAILED,
        tests=(TestOutcome("one", "passed"), TestOutcome("two", "failed", "expected 3")),
        cost=12,
        layers=("rlimits",),
        message="1 of 2 tests did not pass",
    )
    copy = pickle.loads(pickle.dumps(evaluation))
    assert copy == evaluation and copy.status is Status.FAILED


def test_a_pytest_suite_travels_as_content(tmp_path: Path) -> None:
    test_file = tmp_path / "test_add.py"
    test_file.write_text("def test_nothing():\n    pass\n")
    suite = PytestSuite(test_file)
    travelling = job("x = 1\n", suite, test_files=portable_files(suite))
    test_file.unlink()  # as on another machine: the engine's path does not exist there
    runner = JobRunner(workers=1)
    try:
        here = runner.localise(travelling)
        assert isinstance(here.suite, PytestSuite)
        assert here.suite.directory != tmp_path and here.suite.targets == ("test_add.py",)
        copied = here.suite.directory / "test_add.py"
        assert copied.read_text() == "def test_nothing():\n    pass\n"
        scratch = here.suite.directory.parent
    finally:
        runner.close()
    assert not scratch.exists()  # closing removes what the jobs brought


def test_a_job_runner_runs_each_mode_in_its_own_sandbox() -> None:
    runner = JobRunner(workers=1)
    try:
        good = runner.run(job("def add(a, b):\n    return a + b\n", sandbox="process"))
        bad = runner.run(job("def add(a, b):\n    return a - b\n", sandbox="process"))
    finally:
        runner.close()
    assert good.status is Status.OK and good.passed == 2
    assert bad.status is Status.FAILED and bad.passed == 1


@pytest.mark.parametrize("spec", ["local", "dask://127.0.0.1:8786", "dask://scheduler.lan:1"])
def test_executor_specs(spec: str) -> None:
    assert check_executor(spec) == spec


@pytest.mark.parametrize("spec", ["", "dask", "dask://host", "dask://:8786", "tcp://h:1", "ray"])
def test_bad_executor_specs_are_usage_errors(spec: str) -> None:
    with pytest.raises(UsageError, match="use 'local' or 'dask://HOST:PORT'"):
        check_executor(spec)


def test_dask_without_distributed_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    monkeypatch.delitem(sys.modules, "evolve.evaluation.dask_executor", raising=False)
    with pytest.raises(UsageError, match=r"pip install 'evolve\[distributed\]'"):
        connect_executor("dask://127.0.0.1:8786")


def test_an_unreachable_scheduler_is_a_usage_error() -> None:
    pytest.importorskip("distributed")
    from evolve.evaluation.dask_executor import DaskExecutor

    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(UsageError, match=f"dask://127.0.0.1:{port}: cannot reach"):
        DaskExecutor.connect(f"127.0.0.1:{port}", timeout_s=1.0)


@pytest.mark.parametrize(("length", "count"), [(0, 3), (1, 6), (5, 6), (100, 6), (101, 6), (7, 1)])
def test_chunks_keep_order_and_balance(length: int, count: int) -> None:
    pytest.importorskip("distributed")
    from evolve.evaluation.dask_executor import chunks

    items = list(range(length))
    parts = chunks(items, count)
    assert [item for part in parts for item in part] == items
    assert len(parts) == max(1, min(count, length))
    sizes = {len(part) for part in parts}
    assert max(sizes) - min(sizes) <= 1


class ReversingClient:
    """Stands in for a Dask client: runs each task at once, and records how many tasks a map
    made. Its `nthreads` is a cluster of `threads` threads."""

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self.tasks: list[int] = []

    def nthreads(self) -> dict[str, int]:
        return {"tcp://worker:1": self.threads}

    def map(self, fn: Any, *iterables: list[Any], pure: bool) -> list[Any]:
        assert not pure  # evaluations are not cached by Dask: the engine keeps the cache
        calls = list(zip(*iterables, strict=True))
        self.tasks.append(len(calls))
        # Run in reverse, as a cluster may finish them: the result must not care.
        done = {index: fn(*args) for index, args in reversed(list(enumerate(calls)))}
        return [done[index] for index in range(len(calls))]

    def gather(self, futures: list[Any]) -> list[Any]:
        return futures


def test_dask_sends_a_few_chunks_per_thread_and_keeps_input_order() -> None:
    pytest.importorskip("distributed")
    from evolve.evaluation.dask_executor import CHUNKS_PER_THREAD, DaskExecutor

    client = ReversingClient(threads=2)
    executor = DaskExecutor(client)  # type: ignore[arg-type]
    assert executor.map(lambda x: x * 10, range(100)) == [x * 10 for x in range(100)]
    assert executor.map(lambda x: x, [7]) == [7]
    assert executor.map(lambda x: x, []) == []
    assert client.tasks == [2 * CHUNKS_PER_THREAD, 1]
