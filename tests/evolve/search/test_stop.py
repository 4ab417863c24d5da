"""The stop switch in process: a STOP file, Ctrl-C, a second Ctrl-C mid-generation, and
`evolve stop`; after each, the run is recorded and `evolve log` / `evolve diff` read it."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from evolve.cli import main
from evolve.errors import RunAborted
from evolve.run import CHAMPION_FILE, STOP_FILE, RunRequest, RunSummary, lock_run, start_run
from evolve.search.stats import GenerationStats
from evolve.search.stop import StopReason
from evolve.store.database import RunStore
from evolve.store.events import EVENTS_FILE
from tests.doubles import SerialExecutor

T = TypeVar("T")
R = TypeVar("R")

# No operator reaches these outputs, so the run goes on until something stops it.
HOPELESS = [([1, 2], 100), ([3, 4], 200), ([5, 0], 5)]
SEED = "def add(a, b):\n    return a - b\n"


class ActAt:
    """A reporter that does something at the end of one generation."""

    def __init__(self, generation: int, action: Callable[[], None]) -> None:
        self.at = generation
        self.action = action
        self.seen: list[int] = []

    def generation(self, stats: GenerationStats) -> None:
        self.seen.append(stats.generation)
        if stats.generation == self.at:
            self.action()

    def accepted(self, change: object) -> None:
        pass


def interrupt() -> None:
    os.kill(os.getpid(), signal.SIGINT)


@pytest.fixture
def hopeless(tmp_path: Path, make_task: Callable[..., Path]) -> Path:
    return make_task(tmp_path / "hopeless", SEED, "add", HOPELESS, budget=2000)


def run(task: Path, runs: Path, reporter: ActAt) -> RunSummary:
    return start_run(RunRequest(task, seed=0, runs_dir=runs), reporter, SerialExecutor())


def only_run(runs: Path) -> Path:
    [run_dir] = list(runs.iterdir())
    return run_dir


def read_events(run_dir: Path) -> list[dict[str, Any]]:
    """Every event of a run, as the log holds them: one JSON object a line."""
    lines = (run_dir / EVENTS_FILE).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def reads_cleanly(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["log", str(run_dir)]) == 0
    assert main(["diff", str(run_dir)]) == 0
    capsys.readouterr()
    connection = sqlite3.connect(run_dir / "run.sqlite")
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    connection.close()


def test_a_stop_file_stops_at_the_generation_boundary(
    hopeless: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = tmp_path / "runs"
    reporter = ActAt(2, lambda: (only_run(runs) / STOP_FILE).write_text("anyone\n"))
    summary = run(hopeless, runs, reporter)
    assert summary.stop_reason == StopReason.STOPPED.value
    assert reporter.seen == [1, 2]
    assert Path(summary.champion_path).read_text() == SEED
    events = read_events(Path(summary.run_dir))
    assert events[-1]["type"] == "run_stopped" and events[-1]["reason"] == "stopped"
    reads_cleanly(Path(summary.run_dir), capsys)


def test_ctrl_c_stops_at_the_generation_boundary(
    hopeless: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    previous = signal.getsignal(signal.SIGINT)
    reporter = ActAt(1, interrupt)
    summary = run(hopeless, tmp_path / "runs", reporter)
    assert summary.stop_reason == StopReason.INTERRUPTED.value
    assert summary.generations == 1
    assert "press Ctrl-C again" in capsys.readouterr().err
    assert signal.getsignal(signal.SIGINT) is previous  # the handler is put back
    reads_cleanly(Path(summary.run_dir), capsys)


class InterruptTwice(SerialExecutor):
    """Two Ctrl-Cs in the middle of the `at`-th generation's batch of evaluations (the seed's
    and holdout batches hold one variant and do not count)."""

    def __init__(self, at: int) -> None:
        self.at = at
        self.batches = 0

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        items = list(items)
        self.batches += len(items) > 1
        results = []
        for index, item in enumerate(items):
            if self.batches == self.at and index == 3:
                interrupt()
                interrupt()
            results.append(fn(item))
        return results


def test_a_second_ctrl_c_stops_at_once_and_keeps_the_store_whole(
    hopeless: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = tmp_path / "runs"
    request = RunRequest(hopeless, seed=0, runs_dir=runs)
    with pytest.raises(RunAborted, match="stopped at once"):
        start_run(request, ActAt(99, lambda: None), InterruptTwice(at=2))
    run_dir = only_run(runs)
    store = RunStore.open(run_dir)
    try:
        config = store.config()
        statuses = store.status_counts()
        rows = store.evaluation_rows()
    finally:
        store.close()
    assert config["summary"]["stop_reason"] == StopReason.ABORTED.value
    assert "finished_at" in config
    # Nothing of the batch in flight was stored: only whole batches.
    assert sum(statuses.values()) == len(rows) and {r.generation for r in rows} == {0, 1}
    assert (run_dir / CHAMPION_FILE).read_text() == (run_dir / "seed.py").read_text()
    assert read_events(run_dir)[-1]["reason"] == "aborted"
    reads_cleanly(run_dir, capsys)


def test_a_second_ctrl_c_is_one_line_and_exit_1(
    hopeless: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import evolve.run

    monkeypatch.setattr(evolve.run, "LocalExecutor", lambda: InterruptTwice(at=2))
    status = main(["run", str(hopeless), "--runs-dir", str(tmp_path / "runs"), "--quiet"])
    err = capsys.readouterr().err
    assert status == 1
    last = err.strip().splitlines()[-1]
    assert last.startswith("evolve: stopped at once") and "champion written to" in last
    assert "Traceback" not in err


def test_a_ctrl_c_while_the_record_is_written_is_ignored(
    hopeless: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A second Ctrl-C just after the search stopped at a boundary lands while the record is
    written: it must not cut the record short."""
    import evolve.run

    record_file = evolve.run.record_file

    def interrupted(name: str, several: bool) -> str:
        if name == CHAMPION_FILE:
            interrupt()
        return record_file(name, several)

    monkeypatch.setattr(evolve.run, "record_file", interrupted)
    summary = run(hopeless, tmp_path / "runs", ActAt(1, interrupt))
    assert summary.stop_reason == StopReason.INTERRUPTED.value
    assert "writing its record" in capsys.readouterr().err
    config = RunStore.open(Path(summary.run_dir)).config()
    assert config["summary"]["stop_reason"] == StopReason.INTERRUPTED.value
    reads_cleanly(Path(summary.run_dir), capsys)


def test_evolve_stop_writes_the_stop_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = tmp_path / "runs" / "r1"
    store = RunStore.create(run_dir)
    store.set_config(seed_hash="0" * 64, program="p.py", task_dir=".", goal="repair")
    store.close()
    # Nobody is running it: a STOP file would stop nothing (resume removes it).
    assert main(["stop", "r1", "--runs-dir", str(tmp_path / "runs")]) == 2
    assert "no process is running this run" in capsys.readouterr().err
    assert not (run_dir / STOP_FILE).exists()
    lock = lock_run(run_dir)  # as the process running it holds it
    try:
        assert main(["stop", "r1", "--runs-dir", str(tmp_path / "runs")]) == 0
    finally:
        os.close(lock)
    assert (run_dir / STOP_FILE).is_file()
    assert "stop requested" in capsys.readouterr().out


def test_evolve_stop_refuses_a_finished_run(
    hopeless: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = run(hopeless, tmp_path / "runs", ActAt(1, interrupt))
    capsys.readouterr()
    assert main(["stop", summary.run_dir]) == 2
    assert "already finished" in capsys.readouterr().err
    assert main(["stop", "nope", "--runs-dir", str(tmp_path)]) == 2


def test_the_event_log(hopeless: Path, tmp_path: Path) -> None:
    summary = run(hopeless, tmp_path / "runs", ActAt(3, interrupt))
    events = read_events(Path(summary.run_dir))
    assert all(isinstance(e["time"], float) and isinstance(e["type"], str) for e in events)
    types = [e["type"] for e in events]
    assert types[0] == "run_started" and types[-1] == "run_stopped"
    assert types.count("generation_finished") == 3
    assert events[0]["config"]["task_name"] == "hopeless"
    finished = [e for e in events if e["type"] == "generation_finished"]
    assert [e["generation"] for e in finished] == [1, 2, 3]
    assert sum(finished[-1]["statuses"].values()) == finished[-1]["evaluations"]
