"""The search end to end on a tiny real task: it repairs, it is deterministic, it respects
the budget, and DEAP's global randomness is left as it was."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

from deap import tools

from evolve.evaluation.executor import LocalExecutor
from evolve.run import RunRequest, RunSummary, start_run
from evolve.search.selection import deap_random
from evolve.search.stats import GenerationStats
from evolve.store.database import AcceptedChange, RunStore
from tests.doubles import SerialExecutor


class Recorder:
    def __init__(self) -> None:
        self.generations: list[GenerationStats] = []
        self.changes: list[AcceptedChange] = []

    def generation(self, stats: GenerationStats) -> None:
        self.generations.append(stats)

    def accepted(self, change: AcceptedChange) -> None:
        self.changes.append(change)


def lineage(summary: RunSummary) -> list[tuple[str, str, str]]:
    store = RunStore.open(Path(summary.run_dir))
    try:
        return [(c.patch, c.diff, c.fitness_after) for c in store.accepted()]
    finally:
        store.close()


def test_repairs_a_wrong_operator(add_task: Path, tmp_path: Path) -> None:
    recorder = Recorder()
    summary = start_run(
        RunRequest(add_task, seed=1, budget=300, runs_dir=tmp_path / "runs"), recorder
    )
    assert summary.solved
    assert summary.stop_reason == "solved"
    assert summary.evaluations <= 300
    assert recorder.changes and recorder.changes[-1].fitness_after == "4/4"
    champion = Path(summary.champion_path).read_text()
    assert "return a + b" in champion
    assert '"""Return the sum of a and b."""' in champion  # formatting survives


def test_same_seed_same_lineage_whatever_the_scheduling(add_task: Path, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    serial = start_run(
        RunRequest(add_task, seed=7, budget=200, runs_dir=runs), Recorder(), SerialExecutor()
    )
    parallel = start_run(
        RunRequest(add_task, seed=7, budget=200, runs_dir=runs), Recorder(), LocalExecutor(2)
    )
    assert lineage(serial) == lineage(parallel)
    assert serial.evaluations == parallel.evaluations
    assert serial.cache_hits == parallel.cache_hits


def test_budget_is_a_hard_cap(tmp_path: Path, make_task: Callable[..., Path]) -> None:
    # No edit of this seed can produce these outputs, so only the budget can stop the run.
    seed = "def f(x):\n    y = x * 2\n    return y\n"
    cases: list[tuple[list[object], object]] = [([i], f"s{i}") for i in range(3)]
    task = make_task(tmp_path / "f", seed, "f", cases)
    summary = start_run(RunRequest(task, seed=0, budget=45, runs_dir=tmp_path), Recorder())
    assert summary.evaluations <= 45
    assert summary.stop_reason in {"budget", "exhausted"}
    assert not summary.solved
    assert summary.accepted == 0


def test_deap_random_restores_the_global_generator() -> None:
    random.seed(123)
    expected = random.random()
    random.seed(123)
    with deap_random(random.Random(5)):
        tools.selRandom(list(range(10)), 3)  # DEAP draws from the run's generator only
    assert random.random() == expected


def test_patch_json_is_stored_for_each_acceptance(add_task: Path, tmp_path: Path) -> None:
    summary = start_run(RunRequest(add_task, seed=2, budget=300, runs_dir=tmp_path), Recorder())
    changes = lineage(summary)
    assert changes, "the run accepted nothing: there is no stored patch to check"
    assert len(changes) == summary.accepted
    for patch, _, _ in changes:
        edits = json.loads(patch)
        assert isinstance(edits, list) and edits  # an accepted change edits something
