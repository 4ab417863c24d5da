"""Checkpoints round-trip, the store rewinds to one, and a run stopped or killed after a
checkpoint resumes to the same lineage as the run that was never stopped."""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from evolve.cli import main
from evolve.errors import RunStateError, UsageError
from evolve.evaluation.executor import LocalExecutor
from evolve.program.patch import Edit
from evolve.resume import AlreadyFinished, finished_reason, resume_run, settings_from_config
from evolve.run import STOP_FILE, RunRequest, RunSummary, lock_run, start_run
from evolve.search import Algorithm, SearchSettings
from evolve.search.stats import GenerationStats
from evolve.store.checkpoint import (
    VERSION,
    Checkpoint,
    components,
    restore_components,
    rng_state,
    set_rng_state,
)
from evolve.store.database import AcceptedChange, RunStore
from sandbox import Evaluation, Status, TestOutcome
from tests.doubles import SerialExecutor, in_process_sandboxes

# -- the state itself ------------------------------------------------------------------------


def test_random_state_survives_json() -> None:
    rng = random.Random(11)
    rng.random()
    saved = json.loads(json.dumps(rng_state(rng)))
    expected = [rng.random() for _ in range(5)]
    other = random.Random(0)
    set_rng_state(other, saved)
    assert [other.random() for _ in range(5)] == expected


def checkpoint() -> Checkpoint:
    edit = Edit("binary-operator", "body[0].body[0]", ["-", "+"])
    return Checkpoint(
        generation=4,
        stale=1,
        population=[(edit,), (), (edit, edit)],
        evaluated=[True, True, False],
        champion=(edit,),
        champion_hash="ab" * 32,
        rng=rng_state(random.Random(3)),
        counters={"evaluations": 40, "cache_hits": 7},
        holdout_rejections=2,
        accepted=1,
        elapsed_s=1.5,
        components={"operator_bandit": {"counts": [1, 2]}},
    )


def test_checkpoint_round_trips_through_json() -> None:
    original = checkpoint()
    text = json.dumps(original.to_json(), sort_keys=True, allow_nan=False)
    assert Checkpoint.from_json(json.loads(text)) == original


def test_a_checkpoint_of_another_format_is_refused() -> None:
    data = {**checkpoint().to_json(), "version": VERSION + 1}
    with pytest.raises(RunStateError, match="format"):
        Checkpoint.from_json(data)
    broken = checkpoint().to_json()
    del broken["population"]
    with pytest.raises(RunStateError, match="cannot be read"):
        Checkpoint.from_json(broken)


class Counter:
    def __init__(self) -> None:
        self.count = 0

    def state(self) -> dict[str, Any]:
        return {"count": self.count}

    def restore(self, state: dict[str, Any]) -> None:
        self.count = int(state["count"])


class Owner:
    def __init__(self) -> None:
        self.bandit = Counter()
        self.islands = Counter()
        self.rng = random.Random(1)  # no state()/restore(): not a component


def test_components_are_found_by_shape_and_restored() -> None:
    owner = Owner()
    owner.bandit.count, owner.islands.count = 3, 5
    states = {name: part.state() for name, part in components(owner).items()}
    assert states == {"bandit": {"count": 3}, "islands": {"count": 5}}
    fresh = Owner()
    restore_components(fresh, states)
    assert (fresh.bandit.count, fresh.islands.count) == (3, 5)
    with pytest.raises(RunStateError, match="islands"):
        restore_components(Owner(), {"bandit": {"count": 1}})


def test_settings_come_back_from_their_recorded_json() -> None:
    settings = SearchSettings(
        population=12, crossover_rate=0.25, max_edits=3, algorithm=Algorithm.ISLANDS
    )
    recorded = json.loads(json.dumps(settings.to_json()))
    assert recorded["population"] == 12 and recorded["algorithm"] == "islands"
    assert settings_from_config(recorded) == settings
    assert settings_from_config({}) == SearchSettings()
    assert settings_from_config({"crossover_rate": 1}).crossover_rate == 1.0
    with pytest.raises(RunStateError, match="'warp_factor' is unknown"):
        settings_from_config({"warp_factor": 9})
    with pytest.raises(RunStateError, match=r"'population' is 12\.0, not of type int"):
        settings_from_config({**recorded, "population": 12.0})
    with pytest.raises(RunStateError, match="'simulated-annealing' is not a valid Algorithm"):
        settings_from_config({**recorded, "algorithm": "simulated-annealing"})
    # How runs recorded settings before: every value as its str(). Refused in one line.
    old = {k: str(v) for k, v in vars(settings).items()}
    with pytest.raises(RunStateError, match="recorded its settings as text"):
        settings_from_config(old)


def test_which_runs_have_finished() -> None:
    assert finished_reason({}) is None  # killed
    for reason in ("stopped", "interrupted", "aborted"):
        assert finished_reason({"summary": {"stop_reason": reason}}) is None
    assert finished_reason({"summary": {"stop_reason": "solved"}}) == "solved"


# -- the store -------------------------------------------------------------------------------


def evaluation() -> Evaluation:
    return Evaluation(status=Status.FAILED, tests=(TestOutcome("a", "passed"),), cpu_s=0.01)


def change(number: int, generation: int) -> AcceptedChange:
    return AcceptedChange(
        number, generation, 10, "h0", f"h{number}", "[]", (), "", "0/1", "1/1", (), 1.0
    )


def test_a_checkpoint_supersedes_the_ones_before(tmp_path: Path) -> None:
    store = RunStore.create(tmp_path / "run")
    assert store.last_checkpoint() is None
    with store.transaction():
        store.add_checkpoint(1, {"generation": 1}, 1.0)
    with store.transaction():
        store.add_checkpoint(2, {"generation": 2}, 2.0)
    assert store.last_checkpoint() == (2, {"generation": 2})
    rows = sqlite3.connect(store.path).execute("SELECT generation FROM checkpoints").fetchall()
    assert rows == [(2,)]
    store.close()


def test_rewind_drops_what_came_after_the_checkpoint(tmp_path: Path) -> None:
    store = RunStore.create(tmp_path / "run")
    store.set_config(seed=1, finished_at=5.0, summary={"stop_reason": "stopped"})
    with store.transaction():
        for generation in (0, 1, 2, 3):
            digest = f"h{generation}"
            store.add_variant(digest, f"x = {generation}\n", "[]")
            store.add_evaluation(digest, "search", generation, evaluation())
        store.add_evaluation("h2", "holdout", 2, evaluation())
        store.add_accepted(change(1, 1))
        store.add_accepted(change(2, 3))
        store.add_checkpoint(2, {"generation": 2}, 1.0)
    dropped = store.rewind(2, forget=("finished_at", "summary"))
    assert dropped == 1
    assert [row.generation for row in store.evaluation_rows()] == [0, 1, 2]
    assert store.evaluation("h2", "holdout") is not None
    assert [c.number for c in store.accepted()] == [1]
    assert store.config() == {"seed": 1}
    with pytest.raises(KeyError):
        store.variant_source("h3")  # written with a dropped evaluation only
    assert [d for d, _, _, _ in store.stored_evaluations()] == ["h0", "h1", "h2", "h2"]
    store.rewind(-1)
    assert store.stored_evaluations() == [] and store.accepted() == []
    store.close()


def test_a_run_is_worked_on_by_one_process_at_a_time(tmp_path: Path) -> None:
    lock = lock_run(tmp_path)
    with pytest.raises(UsageError, match="another process"):
        lock_run(tmp_path)
    os.close(lock)
    os.close(lock_run(tmp_path))


# -- resuming a real run ---------------------------------------------------------------------


class Killed(Exception):
    """Stands in for SIGKILL: raised from the reporter, after a checkpoint is on disk."""


class Recorder:
    def __init__(self, kill_at: int | None = None) -> None:
        self.kill_at = kill_at
        self.changes: list[AcceptedChange] = []

    def generation(self, stats: GenerationStats) -> None:
        if stats.generation == self.kill_at:
            raise Killed

    def accepted(self, change: AcceptedChange) -> None:
        self.changes.append(change)


def records(run_dir: Path) -> list[dict[str, Any]]:
    """The accepted lineage without what is bound to differ between runs: the time of
    acceptance, and the chain hashes that cover it."""
    store = RunStore.open(run_dir)
    try:
        changes = store.accepted()
    finally:
        store.close()
    skip = {"created_at", "prev_hash", "hash"}
    return [{k: v for k, v in vars(c).items() if k not in skip} for c in changes]


def comparable(summary: RunSummary) -> dict[str, Any]:
    skip = {"run_id", "run_dir", "champion_path", "wall_s"}
    return {k: v for k, v in summary.to_dict().items() if k not in skip}


SETTINGS = SearchSettings(population=8)


SEED = """\
def add(a, b):
    return a - b
"""
CASES = [([1, 2], 3), ([5, 0], 5), ([2, 2], 4), ([-1, 4], 3)]


def write_task(directory: Path) -> Path:
    (directory / "seed.py").write_text(SEED)
    lines = "".join(json.dumps({"args": a, "expected": e}) + "\n" for a, e in CASES)
    (directory / "cases.jsonl").write_text(lines)
    (directory / "task.toml").write_text(
        '[task]\nprogram = "seed.py"\nentry = "add"\n[tests]\ncases = "cases.jsonl"\n'
    )
    return directory


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RunSummary]:
    task = write_task(tmp_path_factory.mktemp("task"))
    runs = tmp_path_factory.mktemp("runs")
    request = RunRequest(task, seed=3, budget=300, runs_dir=runs, settings=SETTINGS)
    with in_process_sandboxes():
        summary = start_run(request, Recorder(), SerialExecutor())
    assert summary.generations >= 4 and summary.accepted >= 1
    return task, summary


def test_a_killed_run_resumes_to_the_uninterrupted_lineage(
    uninterrupted: tuple[Path, RunSummary], tmp_path: Path
) -> None:
    task, expected = uninterrupted
    request = RunRequest(task, seed=3, budget=300, runs_dir=tmp_path, settings=SETTINGS)
    with pytest.raises(Killed):
        start_run(request, Recorder(kill_at=2), LocalExecutor(2))
    [run_dir] = tmp_path.iterdir()
    # What the next generation had written when it died: a resume must drop it.
    store = RunStore.open(run_dir)
    with store.transaction():
        store.add_variant("f" * 64, "junk = 1\n", "[]")
        store.add_evaluation("f" * 64, "search", 3, evaluation())
    store.close()
    summary = resume_run(run_dir, Recorder(), SerialExecutor())
    assert records(run_dir) == records(Path(expected.run_dir))
    assert comparable(summary) == comparable(expected)
    with pytest.raises(AlreadyFinished):
        resume_run(run_dir, Recorder())


def killed_run(task: Path, runs: Path) -> Path:
    """A run killed after its first generation's checkpoint."""
    request = RunRequest(task, seed=3, budget=300, runs_dir=runs, settings=SETTINGS)
    with pytest.raises(Killed):
        start_run(request, Recorder(kill_at=1), SerialExecutor())
    [run_dir] = runs.iterdir()
    return run_dir


def set_checkpoint(run_dir: Path, change: Callable[[dict[str, Any]], None]) -> None:
    connection = sqlite3.connect(run_dir / "run.sqlite")
    [(generation, text)] = connection.execute("SELECT generation, state FROM checkpoints")
    state = json.loads(text)
    change(state)
    connection.execute(
        "UPDATE checkpoints SET state = ? WHERE generation = ?", (json.dumps(state), generation)
    )
    connection.commit()
    connection.close()


def resume_fails(run_dir: Path, capsys: pytest.CaptureFixture[str], message: str) -> None:
    assert main(["resume", str(run_dir), "--quiet"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1, err
    assert err.startswith("evolve: error: ") and message in err, err


def test_a_run_whose_state_is_corrupt_is_one_line_and_exit_2(
    uninterrupted: tuple[Path, RunSummary], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    task, _ = uninterrupted
    run_dir = killed_run(task, tmp_path / "runs")
    shutil.copytree(run_dir, tmp_path / "pristine")

    set_checkpoint(run_dir, lambda state: state.update(version=VERSION + 1))
    resume_fails(run_dir, capsys, "checkpoint format")
    set_checkpoint(run_dir, lambda state: state.update(version=VERSION, accepted=7))
    resume_fails(run_dir, capsys, "the checkpoint 7")
    set_checkpoint(run_dir, lambda state: state.update(accepted=0, champion_hash="0" * 64))
    resume_fails(run_dir, capsys, "the champion renders differently")

    copy = shutil.copytree(tmp_path / "pristine", tmp_path / "edited-seed")
    (copy / "seed.py").write_text(SEED + "# edited\n")
    resume_fails(copy, capsys, "changed since the run started")

    copy = shutil.copytree(tmp_path / "pristine", tmp_path / "settings-as-text")
    store = RunStore.open(copy)
    store.set_config(settings={k: str(v) for k, v in vars(SETTINGS).items()})
    store.close()
    resume_fails(copy, capsys, "recorded its settings as text")

    copy = shutil.copytree(tmp_path / "pristine", tmp_path / "not-a-database")
    for leftover in copy.glob("run.sqlite*"):
        leftover.unlink()
    (copy / "run.sqlite").write_bytes(b"not a database, whatever its name says" * 100)
    resume_fails(copy, capsys, "cannot be read as a run database")
    assert main(["log", str(copy)]) == 2
    assert "cannot be read as a run database" in capsys.readouterr().err

    # Untouched, the same run resumes.
    assert main(["resume", str(tmp_path / "pristine"), "--quiet"]) == 0


@pytest.mark.slow  # two more runs; the killed run above covers resume in the fast suite
def test_a_stopped_run_resumes_to_the_uninterrupted_lineage(
    uninterrupted: tuple[Path, RunSummary], tmp_path: Path
) -> None:
    task, expected = uninterrupted
    request = RunRequest(task, seed=3, budget=300, runs_dir=tmp_path, settings=SETTINGS)

    class Stopper(Recorder):
        def generation(self, stats: GenerationStats) -> None:
            if stats.generation == 1:
                [run_dir] = tmp_path.iterdir()
                (run_dir / STOP_FILE).write_text("stop\n")

    stopped = start_run(request, Stopper(), SerialExecutor())
    assert stopped.stop_reason == "stopped" and stopped.generations == 1
    run_dir = Path(stopped.run_dir)
    summary = resume_run(run_dir, Recorder(), SerialExecutor())
    assert not (run_dir / STOP_FILE).exists()
    assert records(run_dir) == records(Path(expected.run_dir))
    assert comparable(summary) == comparable(expected)


@pytest.mark.slow  # two more runs; the killed run above covers resume in the fast suite
def test_serial_and_local_evaluation_accept_the_same_lineage(
    uninterrupted: tuple[Path, RunSummary], tmp_path: Path
) -> None:
    task, expected = uninterrupted
    request = RunRequest(task, seed=3, budget=300, runs_dir=tmp_path, settings=SETTINGS)
    summary = start_run(request, Recorder(), LocalExecutor(2))
    assert records(Path(summary.run_dir)) == records(Path(expected.run_dir))
    assert comparable(summary) == comparable(expected)
