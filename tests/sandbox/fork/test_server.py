"""The fork server: the same behaviour as the fresh-process mode, plus the layers in force."""

import dataclasses
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from sandbox import (
    Case,
    CaseSuite,
    ForkServer,
    Limits,
    PytestSuite,
    Status,
    make_sandbox,
    probe_layers,
)
from sandbox.fork.layers import ALWAYS, OPTIONAL
from sandbox.fork.server import worker_env

LIMITS = Limits(wall_s=1.0, cpu_s=1.0, memory_mb=96, output_bytes=64 * 1024)
INCREMENT = CaseSuite("f", tuple(Case(f"c{i}", (i,), expected=i + 1) for i in range(5)))


def single(expected: Any, *args: Any) -> CaseSuite:
    return CaseSuite("f", (Case("only", args, expected=expected),))


@pytest.fixture(scope="module")
def server() -> Iterator[ForkServer]:
    with ForkServer(workers=2) as pool:
        yield pool


@pytest.fixture(scope="module")
def layers(server: ForkServer) -> set[str]:
    return set(server.evaluate("def f(x):\n    return x + 1\n", INCREMENT, LIMITS).layers)


def test_a_correct_program_passes_with_every_layer_named(server: ForkServer) -> None:
    result = server.evaluate("def f(x):\n    return x + 1\n", INCREMENT, LIMITS)
    assert result.status is Status.OK and result.passed == 5
    assert set(ALWAYS) <= set(result.layers)
    assert result.cpu_s > 0 and result.max_rss_mb > 0


@pytest.mark.parametrize(
    ("source", "status"),
    [
        ("def f(x):\n    return x + 1 if x != 3 else 7\n", Status.FAILED),
        ("def f(x:\n", Status.INVALID),
        ("raise ValueError('boom')\n", Status.CRASH),
        ("import time\ndef f(x):\n    time.sleep(30)\n", Status.TIMEOUT),
        ("x = bytearray(10**10)\n", Status.MEMORY),
        ("def f(x):\n    while True:\n        print('x' * 1000)\n", Status.OUTPUT_LIMIT),
        ("import os\ndef f(x):\n    os._exit(0)\n", Status.CRASH),
    ],
)
def test_statuses_match_the_process_mode(server: ForkServer, source: str, status: Status) -> None:
    assert server.evaluate(source, INCREMENT, LIMITS).status is status


def test_a_case_that_hangs_fails_alone(server: ForkServer) -> None:
    source = "def f(x):\n    while x == 3:\n        pass\n    return x + 1\n"
    result = server.evaluate(source, INCREMENT, LIMITS)
    assert [t.outcome for t in result.tests] == ["passed"] * 3 + ["timeout", "passed"]


def test_cost_is_deterministic(server: ForkServer) -> None:
    source = "def f(n):\n    return sum(i for i in {str(k) for k in range(50)} if i < '3')\n"
    suite = CaseSuite("f", (Case("a", (1,)),))
    costs = {server.evaluate(source, suite, LIMITS, measure_cost=True).cost for _ in range(3)}
    assert len(costs) == 1 and None not in costs


def test_the_environment_is_scrubbed(monkeypatch: pytest.MonkeyPatch) -> None:
    # A worker started after the supervisor got a secret: the secret must be in no
    # environment the variant can reach, its own (os.environ and /proc/self/environ) and its
    # worker's; the supervisor's too when root is dropped (same uid could read it otherwise).
    secret = "evolve-test-secret-4d1f"
    monkeypatch.setenv("EVOLVE_TEST_SECRET", secret)
    source = (
        "import os\n"
        "def f(supervisor, check_supervisor):\n"
        "    found = []\n"
        f"    secret = {secret!r}\n"
        "    if any(secret in k or secret in v for k, v in os.environ.items()):\n"
        "        found.append('os.environ')\n"
        "    pids = ['self', str(os.getppid())] + ([str(supervisor)] if check_supervisor else [])\n"
        "    for pid in pids:\n"
        "        try:\n"
        "            raw = open(f'/proc/{pid}/environ', 'rb').read()\n"
        "        except OSError:\n"
        "            continue  # unreadable is as good as clean\n"
        "        if secret.encode() in raw:\n"
        "            found.append(pid)\n"
        "    return [sorted(os.environ), found]\n"
    )
    keys = sorted({*worker_env(), "HOME", "TMPDIR"})
    with ForkServer(workers=1) as pool:
        check = (
            "drop-root" in pool.evaluate("def f(x):\n    return x + 1\n", INCREMENT, LIMITS).layers
        )
        suite = CaseSuite("f", (Case("env", (os.getpid(), check), expected=[keys, []]),))
        result = pool.evaluate(source, suite, LIMITS)
    assert result.status is Status.OK, result.tests[0].detail


def test_pytest_suites_run_in_the_fork(server: ForkServer, tmp_path: Path) -> None:
    test_file = tmp_path / "test_calc.py"
    test_file.write_text(
        "import os\nimport calc\n\n"
        "def test_adds():\n    assert calc.add(1, 2) == 3\n\n"
        "def test_again():\n    assert calc.add(2, 2) == 4\n\n"
        "def test_no_autoload():\n    assert os.environ['PYTEST_DISABLE_PLUGIN_AUTOLOAD'] == '1'\n"
    )
    limits = Limits(wall_s=10.0, cpu_s=5.0, memory_mb=256)
    source = "def add(a, b):\n    return 3\n"
    result = server.evaluate(source, PytestSuite(test_file), limits, module_name="calc")
    outcomes = {t.name: t.outcome for t in result.tests}
    assert outcomes == {
        "test_calc.py::test_adds": "passed",
        "test_calc.py::test_again": "failed",
        "test_calc.py::test_no_autoload": "passed",
    }


def test_concurrent_calls_from_threads(server: ForkServer) -> None:
    sources = [f"def f(x):\n    return x + {1 if i % 2 == 0 else 2}\n" for i in range(8)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda s: server.evaluate(s, INCREMENT, LIMITS), sources))
    assert [r.status for r in results] == [Status.OK, Status.FAILED] * 4


def test_a_killed_worker_is_replaced() -> None:
    with ForkServer(workers=1) as pool:
        pid = pool.evaluate("import os\ndef f():\n    return os.getppid()\n", single(0), LIMITS)
        worker_pid = int(pid.tests[0].detail.rsplit(" ", 1)[1])
        os.kill(worker_pid, signal.SIGKILL)
        time.sleep(0.1)
        result = pool.evaluate("def f(x):\n    return x + 1\n", INCREMENT, LIMITS)
        assert result.status is Status.OK


def test_a_worker_killed_mid_run_gives_a_crash_not_an_exception() -> None:
    with ForkServer(workers=1) as pool:
        first = pool.evaluate("import os\ndef f():\n    return os.getppid()\n", single(0), LIMITS)
        worker_pid = int(first.tests[0].detail.rsplit(" ", 1)[1])
        threading.Timer(0.2, os.kill, (worker_pid, signal.SIGKILL)).start()
        # The case may run longer than the per-case limit: the worker must die first.
        patient = dataclasses.replace(LIMITS, case_s=LIMITS.wall_s)
        result = pool.evaluate(
            "import time\ndef f():\n    time.sleep(0.8)\n", single(None), patient
        )
        assert result.status is Status.CRASH
        assert pool.evaluate("def f(x):\n    return x + 1\n", INCREMENT, LIMITS).status is Status.OK


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


# Double-forks a setsid daemon that ignores SIGTERM and returns its pid.
DAEMON = (
    "import os, signal, time\n"
    "def f():\n"
    "    r, w = os.pipe()\n"
    "    if os.fork() == 0:\n"
    "        os.setsid()\n"
    "        if os.fork() == 0:\n"
    "            signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "            os.write(w, str(os.getpid()).encode())\n"
    "            time.sleep(60)\n"
    "        os._exit(0)\n"
    "    return int(os.read(r, 20))\n"
)


def test_no_setsid_daemon_survives(server: ForkServer, layers: set[str]) -> None:
    # Threads are all seccomp allows; without it the variant double-forks a daemon.
    result = server.evaluate(DAEMON, single(None), LIMITS)
    if "seccomp" in layers:
        assert "Operation not permitted" in result.tests[0].detail
        return
    pid = int(result.tests[0].detail.rsplit(" ", 1)[1])
    assert not _alive(pid)


# Runs in its own process: a worker enters a network namespace and becomes a subreaper,
# which the test process must not. seccomp is left out of the plans (the only test hook: the
# worker's plans are plain data) so that the variant can double-fork a setsid daemon that
# ignores SIGTERM; the worker's kill_group, cgroup kill and subreaper sweep must remove it.
_DAEMON_IN_THE_FORK_PATH = """
import dataclasses, json, os, sys
sys.path.insert(0, sys.argv[1])
from sandbox import Case, CaseSuite, Limits
from sandbox.fork import worker
from sandbox.fork.child import RESULT_FD
from sandbox.fork.server import worker_message
from sandbox.protocol import make_request
source = sys.argv[2]
w = worker.Worker(0)
w.plans = [dataclasses.replace(p, seccomp_program=None) for p in w.plans]
limits = Limits(wall_s=2.0, cpu_s=1.0, memory_mb=96, output_bytes=65536)
request = make_request(source, CaseSuite("f", (Case("only", ()),)), limits,
                       module_name="variant", measure_cost=False, result_fd=RESULT_FD)
try:
    exit_info, report = w.evaluate(*worker_message(request, limits, {}, None))
finally:
    w.close()
print(json.dumps({"layers": w.layers, "report": json.loads(report)}))
"""


def test_the_fork_path_kills_a_setsid_daemon_without_seccomp() -> None:
    root = str(Path(__file__).resolve().parents[3])
    done = subprocess.run(
        [sys.executable, "-c", _DAEMON_IN_THE_FORK_PATH, root, DAEMON],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    answer = json.loads(done.stdout.splitlines()[-1])
    [case] = answer["report"]["cases"]
    assert "output" in case, case  # the daemon really started: seccomp was out of the way
    daemon = int(json.loads(case["output"]))
    assert daemon > 0 and not _alive(daemon)


def test_a_loopback_listener_cannot_be_reached(server: ForkServer) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        source = (
            "import socket\n"
            f"def f():\n    socket.create_connection(('127.0.0.1', {port}), timeout=0.5)\n"
            "    return 'connected'\n"
        )
        result = server.evaluate(source, single(None), LIMITS)
        assert result.tests[0].outcome == "error"


def test_layers_are_in_force_when_reported(server: ForkServer, layers: set[str]) -> None:
    def outcome(body: str) -> str:
        return (
            server.evaluate(f"import os\ndef f():\n{body}", single(None), LIMITS).tests[0].outcome
        )

    if "seccomp" in layers:
        assert outcome("    os.fork()\n") == "error"
        assert (
            outcome("    import resource\n    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))\n")
            == "error"
        )
    if "landlock" in layers:
        assert outcome("    open('/tmp/evolve-landlock-probe', 'w').close()\n") == "error"
        assert not Path("/tmp/evolve-landlock-probe").exists()
    if "drop-root" in layers:
        assert outcome("    return None if os.getuid() != 0 else 'root'\n") == "passed"
    raising = "    import resource\n    resource.setrlimit(resource.RLIMIT_CPU, (100, 100))\n"
    assert outcome(raising) == "error"


def test_probe_layers_reports_every_layer() -> None:
    reports = probe_layers()
    assert [r.name for r in reports] == list(OPTIONAL)
    assert all(r.detail for r in reports)


def test_make_sandbox_gives_both_modes() -> None:
    for mode in ("fork", "process"):
        box = make_sandbox(mode, workers=1)  # type: ignore[arg-type]
        try:
            assert (
                box.evaluate("def f(x):\n    return x + 1\n", INCREMENT, LIMITS).status is Status.OK
            )
        finally:
            box.close()
    with pytest.raises(ValueError):
        make_sandbox("thread")  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", ["fork", "process"])
def test_max_rss_is_the_variants_own(mode: str) -> None:
    # A supervisor with a large heap: a child that counted the pages it had between fork and
    # exec (the fresh-process mode) would report them as its own.
    ballast = b"x" * (200 << 20)
    box = make_sandbox(mode, workers=1)  # type: ignore[arg-type]
    try:
        result = box.evaluate("def f(x):\n    return x + 1\n", INCREMENT, LIMITS)
    finally:
        box.close()
    assert result.status is Status.OK
    assert 0 < result.max_rss_mb < 60, result.max_rss_mb
    assert len(ballast) == 200 << 20


def test_a_new_worker_sweeps_what_dead_workers_left() -> None:
    from sandbox.fork.layers import cgroups
    from sandbox.fork.worker import _scratch_parent, cgroup_name

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # its pid names the leftovers of a worker that no longer exists
    parent = Path(_scratch_parent() or "/tmp")
    scratch = parent / f"evolve-worker-{dead.pid}-left"
    (scratch / "lane-0").mkdir(parents=True)
    (scratch / "lane-0" / "link").symlink_to("/")  # removed, never followed
    mine = parent / f"evolve-worker-{os.getpid()}-mine"  # a live process's: kept
    mine.mkdir()
    made = cgroups.create(cgroup_name(dead.pid, 0))[1]
    try:
        with ForkServer(workers=1) as pool:
            assert pool.evaluate("def f(x):\n    return x + 1\n", INCREMENT, LIMITS).passed == 5
        assert not scratch.exists()
        assert mine.is_dir()
        assert cgroup_name(dead.pid, 0) not in cgroups.names("evolve-worker-")
        assert Path("/").is_dir() and Path("/etc").is_dir()
    finally:
        mine.rmdir()
        if made is not None:
            made.remove()
