"""`--executor dask://HOST:PORT` end to end on a real cluster on localhost (marked slow).

A `dask scheduler` and two `dask worker` processes (one thread each) run for the module; the
same run with the same seed on them and on the local executor must leave the same `evolve log`
and the same diffs. Afterwards not one of their processes, nor of the sandboxes they started,
may be left.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from evolve.cli import BUNDLED_TASKS

pytestmark = pytest.mark.slow

pytest.importorskip("distributed")

EVOLVE = [sys.executable, "-m", "evolve.cli"]
SCHEDULER = [sys.executable, "-m", "distributed.cli.dask_scheduler", "--no-dashboard"]
WORKER = [sys.executable, "-m", "distributed.cli.dask_worker", "--no-dashboard", "--nthreads", "1"]
TASK = BUNDLED_TASKS / "repair" / "caesar"
START_TIMEOUT_S = 60.0


def evolve(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*EVOLVE, *args], capture_output=True, text=True, timeout=900)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def children() -> dict[int, list[int]]:
    """Every process's children, from /proc (no psutil needed)."""
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat.rpartition(")")[2].split()[1])
        tree.setdefault(parent, []).append(int(entry))
    return tree


def descendants(roots: list[int]) -> set[int]:
    tree, found, todo = children(), set(), list(roots)
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo.extend(tree.get(pid, []))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for_workers(address: str, count: int) -> None:
    from distributed import Client

    with Client(address, timeout=START_TIMEOUT_S, set_as_default=False) as client:
        client.wait_for_workers(count, timeout=START_TIMEOUT_S)


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """Workers first, gently (the nanny closes the worker, which closes its sandboxes), then
    the scheduler; anything still there after the grace period is killed."""
    for proc in processes:
        if proc.poll() is None:
            # The nanny alone: a signal to the whole group would kill the worker process
            # before it could close its sandboxes.
            proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
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
        for number in (1, 2):
            start([*WORKER, "--host", "127.0.0.1", f"tcp://{address}"], f"worker{number}.log")
        wait_for_workers(f"tcp://{address}", 2)
        yield address
        # Everything the cluster started by now: nannies, workers, their sandboxes' workers.
        seen = descendants([p.pid for p in processes])
    finally:
        stop([*processes[1:], *processes[:1]])
        seen |= {p.pid for p in processes}
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in seen) and time.monotonic() < deadline:
            time.sleep(0.1)
    left = sorted(pid for pid in seen if alive(pid))
    assert not left, f"processes left behind by the cluster: {left}"


def run(runs: Path, *extra: str) -> dict[str, object]:
    result = evolve(
        "run", str(TASK), "--seed", "3", "--budget", "300", "--runs-dir", str(runs),
        "--json", "--quiet", *extra,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    summary: dict[str, object] = json.loads(result.stdout.splitlines()[-1])
    return summary


def test_dask_and_local_runs_decide_alike(cluster: str, tmp_path: Path) -> None:
    remote = run(tmp_path / "dask", "--executor", f"dask://{cluster}")
    local = run(tmp_path / "local")
    for key in ("evaluations", "accepted", "generations", "best", "solved", "statuses"):
        assert remote[key] == local[key], key
    assert int(str(local["accepted"])) >= 1
    remote_dir, local_dir = str(remote["run_dir"]), str(local["run_dir"])
    assert evolve("log", remote_dir).stdout == evolve("log", local_dir).stdout
    assert evolve("diff", remote_dir).stdout == evolve("diff", local_dir).stdout
    for number in range(1, int(str(local["accepted"])) + 1):
        assert evolve("diff", remote_dir, str(number)).stdout == (
            evolve("diff", local_dir, str(number)).stdout
        )


def test_a_pytest_file_travels_to_the_workers(cluster: str, tmp_path: Path) -> None:
    task = tmp_path / "add"
    task.mkdir()
    (task / "add.py").write_text("def add(a, b):\n    return a - b\n")
    (task / "test_add.py").write_text(
        "from add import add\n\n"
        "def test_zero():\n    assert add(5, 0) == 5\n\n"
        "def test_sum():\n    assert add(1, 2) == 3\n"
    )
    (task / "task.toml").write_text(
        '[task]\nprogram = "add.py"\ngoal = "repair"\n[tests]\npytest = "test_add.py"\n'
        "[search]\nbudget = 60\n"
    )
    result = evolve(
        "run", str(task), "--seed", "1", "--runs-dir", str(tmp_path / "runs"), "--json",
        "--quiet", "--executor", f"dask://{cluster}",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.splitlines()[-1])
    assert summary["solved"] and summary["best"] == "2/2"


def test_an_unreachable_scheduler_is_one_line_and_exit_2(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    result = evolve(
        "run", str(TASK), "--runs-dir", str(runs), "--executor", f"dask://127.0.0.1:{free_port()}"
    )
    assert result.returncode == 2
    assert result.stderr.startswith("evolve: error: dask://127.0.0.1:")
    assert "cannot reach the Dask scheduler" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not runs.exists()  # nothing is created before the cluster answers
