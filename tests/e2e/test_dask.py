"""`--executor dask://HOST:PORT` end to end on a real cluster on localhost (marked slow).

A `dask scheduler` and two `dask worker` processes (one thread each) run for the module; the
same run with the same seed on them and on the local executor must leave the same `evolve log`
and the same diffs, and so must a run resumed on the cluster, whichever executor it started
on. `evolve eval` on the cluster gives what it gives locally. Afterwards not one of their
processes, nor of the sandboxes they started, may be left.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from evolve.cli import BUNDLED_TASKS
from evolve.resume import FINISHED_KEYS
from evolve.store.database import RunStore

pytestmark = pytest.mark.slow

pytest.importorskip("distributed")

EVOLVE = [sys.executable, "-m", "evolve.cli"]
SCHEDULER = [sys.executable, "-m", "distributed.cli.dask_scheduler", "--no-dashboard"]
WORKER = [sys.executable, "-m", "distributed.cli.dask_worker", "--no-dashboard", "--nthreads", "1"]
# Repaired at budget 300 with every seed tried (1 to 8), over several generations: a run
# that decides something, whatever the search's luck.
TASK = BUNDLED_TASKS / "repair" / "max_window_sum"
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


SAME = ("evaluations", "accepted", "generations", "best", "solved", "statuses")


def run(runs: Path, *extra: str) -> dict[str, object]:
    result = evolve(
        "run", str(TASK), "--seed", "3", "--budget", "300", "--runs-dir", str(runs),
        "--json", "--quiet", *extra,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    summary: dict[str, object] = json.loads(result.stdout.splitlines()[-1])
    return summary


@pytest.fixture(scope="module")
def local_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return run(tmp_path_factory.mktemp("local"))


@pytest.fixture(scope="module")
def remote_run(cluster: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return run(tmp_path_factory.mktemp("dask"), "--executor", f"dask://{cluster}")


def assert_same_changes(run_dir: str, reference_dir: str, accepted: int) -> None:
    assert evolve("log", run_dir).stdout == evolve("log", reference_dir).stdout
    assert evolve("diff", run_dir).stdout == evolve("diff", reference_dir).stdout
    for number in range(1, accepted + 1):
        assert evolve("diff", run_dir, str(number)).stdout == (
            evolve("diff", reference_dir, str(number)).stdout
        )


def test_dask_and_local_runs_decide_alike(
    remote_run: dict[str, object], local_run: dict[str, object]
) -> None:
    for key in SAME:
        assert remote_run[key] == local_run[key], key
    assert int(str(local_run["accepted"])) >= 1
    assert_same_changes(
        str(remote_run["run_dir"]), str(local_run["run_dir"]), int(str(local_run["accepted"]))
    )


def killed_copy(summary: dict[str, object], into: Path) -> Path:
    """A copy of a finished run as it would be had it been killed halfway: after the
    checkpoint of its middle generation, with no record of finishing."""
    source = Path(str(summary["run_dir"]))
    copy = into / source.name
    shutil.copytree(source, copy)
    store = RunStore.open(copy)
    try:
        store.rewind(int(str(summary["generations"])) // 2, forget=FINISHED_KEYS)
    finally:
        store.close()
    return copy


def resumed_on(run_dir: Path) -> list[str]:
    events = [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines()]
    return [str(e["executor"]) for e in events if e["type"] == "run_resumed"]


@pytest.mark.parametrize("started_on", ["dask", "local"])
def test_a_resumed_run_ends_as_the_uninterrupted_one(
    cluster: str,
    remote_run: dict[str, object],
    local_run: dict[str, object],
    tmp_path: Path,
    started_on: str,
) -> None:
    # A run started on the cluster goes back to it by default; one started locally is sent
    # there with --executor.
    started = remote_run if started_on == "dask" else local_run
    assert int(str(started["generations"])) >= 4
    run_dir = killed_copy(started, tmp_path)
    extra = () if started_on == "dask" else ("--executor", f"dask://{cluster}")
    result = evolve("resume", str(run_dir), "--json", "--quiet", *extra)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.splitlines()[-1])
    assert summary["resumed"] is True
    for key in SAME:
        assert summary[key] == local_run[key], key
    assert_same_changes(str(run_dir), str(local_run["run_dir"]), int(str(local_run["accepted"])))
    assert resumed_on(run_dir) == [f"dask://{cluster}"]


def pytest_task(root: Path) -> Path:
    task = root / "add"
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
    return task


def test_a_pytest_file_travels_to_the_workers(cluster: str, tmp_path: Path) -> None:
    result = evolve(
        "run", str(pytest_task(tmp_path)), "--seed", "1", "--runs-dir", str(tmp_path / "runs"),
        "--json", "--quiet", "--executor", f"dask://{cluster}",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.splitlines()[-1])
    assert summary["solved"] and summary["best"] == "2/2"


def outcomes(evaluation: dict[str, object]) -> tuple[object, ...]:
    """What an evaluation found, without what differs from one run of it to the next."""
    return tuple(evaluation[k] for k in ("status", "passed", "failed", "total", "tests"))


@pytest.mark.parametrize("which", ["cases", "pytest"])
def test_eval_on_the_cluster_finds_what_it_finds_locally(
    cluster: str, tmp_path: Path, which: str
) -> None:
    task = TASK if which == "cases" else pytest_task(tmp_path)
    found = []
    for extra in ((), ("--executor", f"dask://{cluster}")):
        result = evolve("eval", str(task), "--json", *extra)
        assert result.returncode == 0, result.stderr
        found.append(json.loads(result.stdout.splitlines()[-1]))
    local, remote = found
    assert outcomes(remote) == outcomes(local)
    assert remote.get("holdout") is not None or which == "pytest"
    if which == "cases":
        assert outcomes(remote["holdout"]) == outcomes(local["holdout"])
    else:
        assert (remote["passed"], remote["total"]) == (1, 2)
    assert "rlimits" in remote["layers"]


def unreachable() -> str:
    return f"dask://127.0.0.1:{free_port()}"


def assert_cannot_reach(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 2
    assert result.stderr.startswith("evolve: error: dask://127.0.0.1:")
    assert "cannot reach the Dask scheduler" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_unreachable_scheduler_is_one_line_and_exit_2(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    assert_cannot_reach(
        evolve("run", str(TASK), "--runs-dir", str(runs), "--executor", unreachable())
    )
    assert not runs.exists()  # nothing is created before the cluster answers
    assert_cannot_reach(evolve("eval", str(TASK), "--executor", unreachable()))


def test_resume_on_an_unreachable_scheduler_leaves_the_run_as_it_was(
    local_run: dict[str, object], tmp_path: Path
) -> None:
    run_dir = killed_copy(local_run, tmp_path)
    before = recorded(run_dir)
    assert_cannot_reach(evolve("resume", str(run_dir), "--executor", unreachable()))
    assert recorded(run_dir) == before


def recorded(run_dir: Path) -> tuple[object, ...]:
    store = RunStore.open(run_dir)
    try:
        found = store.config(), store.last_checkpoint(), len(store.stored_evaluations())
    finally:
        store.close()
    return (*found, (run_dir / "events.jsonl").read_text())
