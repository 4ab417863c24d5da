"""`evolve resume` against real `evolve run` processes killed with SIGKILL (slow).

A run of the bundled luhn repair is killed before its first checkpoint, at generation
boundaries and in the middle of generations, resumed each time, and must end exactly where the
uninterrupted run with the same seed ends: the same `evolve log`, the same diffs, the same
records (but for the time of acceptance and the chain hashes that cover it), and no change it
ever announced lost or replaced. Two uninterrupted runs with the same seed agree the same way.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

EVOLVE = [sys.executable, "-m", "evolve.cli"]
TASK = Path(__file__).resolve().parents[2] / "benchmarks" / "repair" / "luhn"
SEED = "1"  # dozens of generations (35), and the repair accepted in the last


def evolve(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*EVOLVE, *args], capture_output=True, text=True, timeout=600)


def run_uninterrupted(runs: Path) -> Path:
    result = evolve("run", str(TASK), "--seed", SEED, "--runs-dir", str(runs), "--json", "--quiet")
    assert result.returncode == 0, result.stderr
    return Path(json.loads(result.stdout.splitlines()[-1])["run_dir"])


def events(run_dir: Path) -> list[dict[str, Any]]:
    path = run_dir / "events.jsonl"
    if not path.is_file():
        return []
    found = []
    for line in path.read_text().splitlines():
        try:
            found.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # the last line of a process killed mid-write
    return found


def generations(run_dir: Path) -> int:
    return sum(1 for event in events(run_dir) if event["type"] == "generation_finished")


def kill_when(
    process: subprocess.Popen[str], runs: Path, finished: int, delay: float
) -> Path | None:
    """SIGKILL the process `delay` seconds after the run has finished `finished` generations
    in all; None if it ended first."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        found = list(runs.glob("*/events.jsonl"))
        if found and generations(found[0].parent) >= finished:
            time.sleep(delay)
            if process.poll() is not None:
                return None
            process.send_signal(signal.SIGKILL)
            process.wait()
            return found[0].parent
        if process.poll() is not None:
            return None
        time.sleep(0.005)
    process.kill()
    raise AssertionError("the run never got that far")


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*EVOLVE, *args, "--json", "--quiet"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def log(run_dir: Path) -> str:
    result = evolve("log", str(run_dir))
    assert result.returncode == 0, result.stderr
    return result.stdout


def diffs(run_dir: Path) -> list[str]:
    count = len(log(run_dir).splitlines())
    outputs = [evolve("diff", str(run_dir), str(n)).stdout for n in range(1, count + 1)]
    return [*outputs, evolve("diff", str(run_dir)).stdout]


def records(run_dir: Path) -> list[dict[str, Any]]:
    with sqlite3.connect(run_dir / "run.sqlite") as db:
        cursor = db.execute("SELECT * FROM accepted ORDER BY number")
        names = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
    skip = {"created_at", "prev_hash", "hash"}
    return [{k: v for k, v in zip(names, row, strict=True) if k not in skip} for row in rows]


def summary(run_dir: Path) -> dict[str, Any]:
    with sqlite3.connect(run_dir / "run.sqlite") as db:
        [text] = db.execute("SELECT value FROM config WHERE key = 'summary'").fetchone()
    skip = {"run_id", "run_dir", "champion_path", "wall_s"}
    return {k: v for k, v in json.loads(text).items() if k not in skip}


def stored_hashes(run_dir: Path) -> set[str]:
    with sqlite3.connect(run_dir / "run.sqlite") as db:
        return {row[0] for row in db.execute("SELECT hash FROM accepted")}


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_uninterrupted(tmp_path_factory.mktemp("reference"))


def test_two_runs_with_the_same_seed_agree(reference: Path, tmp_path: Path) -> None:
    again = run_uninterrupted(tmp_path)
    assert log(again) == log(reference)
    assert diffs(again) == diffs(reference)
    assert records(again) == records(reference)
    assert summary(again) == summary(reference)


def kill_points(total: int) -> list[tuple[int, float]]:
    """(generations finished, then seconds to wait) spread over a run of `total` generations:
    0 kills before the first checkpoint; a delay of 0 kills at a generation boundary, a small
    one in the middle of the next generation."""
    assert total >= 8, f"the reference run is too short ({total} generations) to kill often"
    return [
        (0, 0.1),
        (total // 6, 0.0),
        (total // 3, 0.05),
        (total // 2, 0.0),
        (total * 2 // 3, 0.1),
    ]


def test_kill_9_at_any_moment_then_resume_ends_as_the_uninterrupted_run(
    reference: Path, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    kills = kill_points(summary(reference)["generations"])
    process = start("run", str(TASK), "--seed", SEED, "--runs-dir", str(runs))
    run_dir: Path | None = None
    announced: set[str] = set()
    killed = 0
    for finished, delay in kills:
        stopped = kill_when(process, runs, finished, delay)
        if stopped is None:
            break
        run_dir, killed = stopped, killed + 1
        # Every change announced so far must survive the kill and every later resume.
        announced |= {e["hash"] for e in events(run_dir) if e["type"] == "change_accepted"}
        process = start("resume", str(run_dir))
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err
    assert killed >= 4, "the run ended before it could be killed often enough"
    assert run_dir is not None
    assert json.loads(out.splitlines()[-1])["resumed"] is True

    assert log(run_dir) == log(reference)
    assert diffs(run_dir) == diffs(reference)
    assert records(run_dir) == records(reference)
    assert summary(run_dir) == summary(reference)
    assert announced <= stored_hashes(run_dir)
    resumed = [e for e in events(run_dir) if e["type"] == "run_resumed"]
    assert len(resumed) == killed

    verify = evolve("verify", str(run_dir))
    assert verify.returncode == 0, verify.stdout + verify.stderr
    # Resuming a finished run is safe: nothing to do, exit 0.
    again = evolve("resume", str(run_dir))
    assert again.returncode == 0 and "nothing to resume" in again.stdout
