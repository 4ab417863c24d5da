"""`evolve tune` end to end on a three-task suite with real sandboxes (slow): a tuning run
killed with SIGKILL mid-generation and resumed ends exactly where an uninterrupted one ends,
and the same tuning run with its bench runs sent to a real local Dask cluster tries the
same settings and finds the same."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from evolve.tune.store import TuneStore
from tests.e2e.test_dask import (
    SCHEDULER,
    WORKER,
    alive,
    descendants,
    free_port,
    stop,
    wait_for_workers,
)

pytestmark = pytest.mark.slow

EVOLVE = [sys.executable, "-m", "evolve.cli"]
ROOT = Path(__file__).resolve().parents[2]
TASKS = ("first_repeat", "flatten", "is_palindrome")  # each solved in about 150 evaluations
TUNE = (
    "--population", "3", "--generations", "2", "--run-budget", "300", "--budget", "5000",
    "--held-out", "0.3", "--held-out-runs", "1", "--seed", "2", "--json", "--quiet",
)  # fmt: skip


def evolve(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*EVOLVE, *args], capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three bundled repairs, copied with their seed's path made absolute."""
    root = tmp_path_factory.mktemp("suite")
    for name in TASKS:
        source = ROOT / "benchmarks" / "repair" / name
        target = root / name
        target.mkdir()
        for path in source.iterdir():
            text = path.read_text()
            if path.name == "task.toml":
                text = text.replace('"../../../seeds/', f'"{ROOT / "seeds"}/')
            (target / path.name).write_text(text)
    return root


def summary_of(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, result.stderr
    found: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    return found


def tried(run_dir: Path) -> list[tuple[int, str, str, str, tuple[int, ...], Any]]:
    store = TuneStore.open(run_dir)
    try:
        return [
            (t.generation, t.split, t.label, t.key, t.genome, t.score.to_json())
            for t in store.trials()
        ]
    finally:
        store.close()


SAME = ("stop_reason", "generations", "trials", "spent", "best_settings", "best_train",
        "default_train", "held_out_scores", "train", "held_out")  # fmt: skip


@pytest.fixture(scope="module")
def reference(suite: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    runs = tmp_path_factory.mktemp("reference")
    return summary_of(evolve("tune", str(suite), "--runs-dir", str(runs), *TUNE))


def generations_finished(run_dir: Path) -> int:
    path = run_dir / "events.jsonl"
    if not path.is_file():
        return 0
    count = 0
    for line in path.read_text().splitlines():
        try:
            count += json.loads(line)["type"] == "generation_finished"
        except json.JSONDecodeError:
            continue  # the last line of a process killed mid-write
    return count


def test_a_killed_tuning_run_resumes_to_the_same_end(
    suite: Path, reference: dict[str, Any], tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    scratch = tmp_path / "scratch"  # a SIGKILL leaves its bench run's temporary folder: here
    scratch.mkdir()
    process = subprocess.Popen(
        [*EVOLVE, "tune", str(suite), "--runs-dir", str(runs), *TUNE],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "TMPDIR": str(scratch)},
    )
    deadline = time.monotonic() + 600
    run_dir = None
    while time.monotonic() < deadline and process.poll() is None:
        found = list(runs.glob("tune-*")) if runs.is_dir() else []
        if found and generations_finished(found[0]) >= 1:
            run_dir = found[0]
            break
        time.sleep(0.2)
    assert run_dir is not None, "the tuning run ended before its first generation finished"
    time.sleep(3)  # into the second generation's bench runs
    process.send_signal(signal.SIGKILL)
    process.wait()
    resumed = summary_of(evolve("tune", "--resume", str(run_dir), "--json", "--quiet"))
    for key in SAME:
        assert resumed[key] == reference[key], key
    assert tried(run_dir) == tried(Path(reference["run_dir"]))
    events = (run_dir / "events.jsonl").read_text()
    assert '"type": "run_resumed"' in events
    assert (run_dir / "profile.toml").read_text() == (
        Path(reference["run_dir"]) / "profile.toml"
    ).read_text()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A scheduler and one single-threaded worker on localhost; nothing of them may be left."""
    logs = tmp_path_factory.mktemp("dask-logs")
    port = free_port()
    address = f"127.0.0.1:{port}"
    processes: list[subprocess.Popen[bytes]] = []
    seen: set[int] = set()

    def start(command: list[str], log: str) -> None:
        with open(logs / log, "wb") as out:
            processes.append(
                subprocess.Popen(
                    command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
                )
            )

    try:
        start([*SCHEDULER, "--host", "127.0.0.1", "--port", str(port)], "scheduler.log")
        start([*WORKER, "--host", "127.0.0.1", f"tcp://{address}"], "worker.log")
        wait_for_workers(f"tcp://{address}", 1)
        yield address
        seen = descendants([p.pid for p in processes])
    finally:
        stop([*processes[1:], *processes[:1]])
        seen |= {p.pid for p in processes}
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in seen) and time.monotonic() < deadline:
            time.sleep(0.1)
    left = sorted(pid for pid in seen if alive(pid))
    assert not left, f"processes left behind by the cluster: {left}"


def test_bench_runs_on_a_dask_cluster_decide_alike(
    suite: Path, reference: dict[str, Any], cluster: str, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    dask = ("--executor", f"dask://{cluster}")
    remote = summary_of(evolve("tune", str(suite), "--runs-dir", str(runs), *dask, *TUNE))
    for key in SAME:
        assert remote[key] == reference[key], key
    assert tried(Path(remote["run_dir"])) == tried(Path(reference["run_dir"]))
    events = [
        json.loads(line)
        for line in (Path(remote["run_dir"]) / "events.jsonl").read_text().splitlines()
    ]
    assert events[0]["config"]["executor"] == f"dask://{cluster}"


def test_an_unreachable_scheduler_is_one_line_and_exit_2(suite: Path, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    result = evolve(
        "tune", str(suite), "--runs-dir", str(runs), "--executor",
        f"dask://127.0.0.1:{free_port()}",
    )  # fmt: skip
    assert result.returncode == 2
    assert "cannot reach the Dask scheduler" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not runs.exists()
