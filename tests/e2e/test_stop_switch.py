"""The three stop routes and the double Ctrl-C against a real `evolve run` process (slow).

Each run is on a task no operator can solve, with evaluations slowed by a sleep, so it runs
until it is stopped; after the stop, `evolve log`, `evolve diff` and `evolve report` read it.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

EVOLVE = [sys.executable, "-m", "evolve.cli"]

SLOW_SEED = """\
import time


def add(a, b):
    time.sleep(0.02)
    return a - b
"""
HOPELESS = [([1, 2], 100), ([3, 4], 200), ([5, 0], 5)]
# Generations of several seconds, so that a second Ctrl-C sent just after the first is seen
# lands in the same generation and not at its boundary.
SLOWER_SEED = SLOW_SEED.replace("0.02", "0.25")


@pytest.fixture
def slow_task(tmp_path: Path, make_task: Callable[..., Path]) -> Path:
    return make_task(tmp_path / "slow", SLOW_SEED, "add", HOPELESS, budget=100_000)


def start(task: Path, runs: Path) -> tuple[subprocess.Popen[str], Path]:
    options = ["--runs-dir", str(runs), "--json", "--quiet", "--population", "12"]
    process = subprocess.Popen(
        [*EVOLVE, "run", str(task), *options],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for events in runs.glob("*/events.jsonl"):
            if '"generation_finished"' in events.read_text():
                return process, events.parent
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    process.kill()
    raise AssertionError("the run never finished a generation")


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def reads_cleanly(run_dir: Path, seed: str = SLOW_SEED) -> dict[str, Any]:
    for verb in ("log", "diff", "report"):
        result = subprocess.run(
            [*EVOLVE, verb, str(run_dir)], capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
    with sqlite3.connect(run_dir / "run.sqlite") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        config = {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM config")}
    assert (run_dir / "champion.py").read_text() == seed
    return config


def stopped_cleanly(process: subprocess.Popen[str], run_dir: Path, reason: str) -> None:
    status, out, err = finish(process)
    assert status == 0, err
    summary = json.loads(out.splitlines()[-1])
    assert summary["stop_reason"] == reason
    assert summary["run_dir"] == str(run_dir)
    config = reads_cleanly(run_dir)
    assert config["summary"]["stop_reason"] == reason
    last = json.loads((run_dir / "events.jsonl").read_text().splitlines()[-1])
    assert last["type"] == "run_stopped" and last["reason"] == reason


def test_ctrl_c_stops_a_run_at_the_generation_boundary(slow_task: Path, tmp_path: Path) -> None:
    process, run_dir = start(slow_task, tmp_path / "runs")
    process.send_signal(signal.SIGINT)
    stopped_cleanly(process, run_dir, "interrupted")


def test_evolve_stop_from_another_process(slow_task: Path, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    process, run_dir = start(slow_task, runs)
    stop = subprocess.run(
        [*EVOLVE, "stop", run_dir.name, "--runs-dir", str(runs)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert stop.returncode == 0, stop.stderr
    stopped_cleanly(process, run_dir, "stopped")


def test_a_stop_file_from_anyone(slow_task: Path, tmp_path: Path) -> None:
    process, run_dir = start(slow_task, tmp_path / "runs")
    (run_dir / "STOP").touch()
    stopped_cleanly(process, run_dir, "stopped")


def test_a_second_ctrl_c_stops_at_once(tmp_path: Path, make_task: Callable[..., Path]) -> None:
    task = make_task(tmp_path / "slower", SLOWER_SEED, "add", HOPELESS, budget=100_000)
    process, run_dir = start(task, tmp_path / "runs")
    process.send_signal(signal.SIGINT)
    assert process.stderr is not None
    while "press Ctrl-C again" not in (line := process.stderr.readline()):
        assert line, "the run ended without seeing the first Ctrl-C"
    process.send_signal(signal.SIGINT)
    status, _, err = finish(process)
    assert status == 1, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("evolve: stopped at once")
    config = reads_cleanly(run_dir, seed=SLOWER_SEED)
    assert config["summary"]["stop_reason"] == "aborted"
