"""Bench jobs: how they name tasks, and one run here."""

from __future__ import annotations

from pathlib import Path

from evolve.cli import BUNDLED_TASKS
from evolve.search import SearchSettings
from evolve.tune.jobs import BUNDLED, BenchJob, LocalRunner, portable_task, task_path


def test_a_bundled_task_is_named_relative_to_the_benchmarks(tmp_path: Path) -> None:
    caesar = BUNDLED_TASKS / "repair" / "caesar"
    assert portable_task(caesar) == BUNDLED + "repair/caesar"
    assert task_path(portable_task(caesar)) == caesar.resolve()
    assert portable_task(tmp_path) == str(tmp_path.resolve())
    assert task_path(str(tmp_path)) == tmp_path


def test_the_local_runner_runs_each_job_as_the_bench_does(add_task: Path) -> None:
    settings = SearchSettings(population=8).to_json()
    jobs = [BenchJob(str(add_task), settings, seed, 200) for seed in (1, 2)]
    runner = LocalRunner(log=None)
    outcomes = list(runner.run(jobs))
    runner.close()
    assert [o.seed for o in outcomes] == [1, 2]
    assert all(o.solved and o.stop_reason == "solved" for o in outcomes)
    assert all(o.evaluations <= 200 for o in outcomes)
