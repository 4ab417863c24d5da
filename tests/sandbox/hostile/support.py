"""The world a hostile variant is let loose in, and the checks that it did no harm.

Loaded by `test_hostile.py` (by path: pytest runs with `--import-mode=importlib`, so this
folder is not on `sys.path`) and run as a script (`python support.py`) to be a throwaway
engine for the cases that attack the engine itself: if one of those escapes and kills its
parent, it kills this script, not the pytest process.

Every resource a variant may attack is made here, by the test, under names carrying a unique
marker, so that the checks can tell the variant's doings apart from anything else on the
machine and the clean-up never touches anything the test did not make.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sandbox
from sandbox import Case, CaseSuite, Evaluation, Limits, PytestSuite, Status, Suite, make_sandbox

Runner = Callable[..., Evaluation]
MODES = ("process", "fork")
SECRET_NAME = "EVOLVE_HOSTILE_SECRET"
# A frozen engine (stopped or traced by a variant) is given this long before it counts as hung.
ENGINE_TIMEOUT_S = 10
# Where a `.pth` file would persist into every later interpreter that uses this venv or the
# base installation: the checks look there for anything carrying the marker.
SITE_DIRS = tuple(
    dict.fromkeys(
        sysconfig.get_paths(vars={"base": base, "platbase": base})["purelib"]
        for base in (sys.prefix, sys.base_prefix)
    )
)


# -- running a variant in one mode ------------------------------------------------------------


class Sandbox:
    """One way of running variants (`process` or `fork`), closed when done."""

    def __init__(self, evaluate: Runner, close: Callable[[], None] = lambda: None) -> None:
        self.evaluate = evaluate
        self.close = close


def open_sandbox(mode: str) -> Sandbox:
    """The sandbox for `mode`, as the engine makes it (`make_sandbox`)."""
    if mode == "process":
        return Sandbox(sandbox.evaluate)
    if mode == "fork":
        server = make_sandbox("fork")
        return Sandbox(server.evaluate, server.close)
    raise ValueError(f"unknown sandbox mode {mode!r}")


def render(template: str, ctx: dict[str, str]) -> str:
    """Fill `@NAME@` placeholders: the variant is told the paths, ports and pids it attacks."""
    for key, value in ctx.items():
        template = template.replace(f"@{key}@", value)
    left = re.findall(r"@[A-Z0-9]+@", template)
    if left:
        raise AssertionError(f"unfilled placeholders {left}")
    return template


# -- the world ----------------------------------------------------------------------------------


@dataclass
class World:
    """Targets for one hostile case: files outside the working directory, listeners, a
    bystander process, a secret, and expected values no variant can know."""

    root: Path
    mark: str = field(default_factory=lambda: "hx" + secrets.token_hex(5))
    secret: str = field(default_factory=lambda: "s3cr3t-" + secrets.token_hex(12))
    expected_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    tcp: socket.socket | None = None
    udp: socket.socket | None = None
    unix: socket.socket | None = None
    bystander: subprocess.Popen[bytes] | None = None
    snapshot: dict[str, str] = field(default_factory=dict)

    @property
    def outside(self) -> Path:
        # The marker in the name makes a symlink to it that a variant leaves in /tmp findable.
        return self.root / f"outside-{self.mark}"

    @property
    def tmp_marker(self) -> str:
        return f"/tmp/evolve-hostile-{self.mark}"

    @property
    def shm_marker(self) -> str:
        return f"/dev/shm/evolve-hostile-{self.mark}"

    def expected(self, index: int) -> str:
        # Unique per test, so a value found in memory or returned by a variant is a leak of
        # exactly this suite, not of an earlier one.
        return f"XPCT{self.expected_id}N{index}"

    def case_suite(self, count: int = 3) -> CaseSuite:
        cases = tuple(Case(f"c{i}", (i,), expected=self.expected(i)) for i in range(count))
        return CaseSuite("f", cases)

    def pytest_suite(self, count: int = 3) -> PytestSuite:
        lines = ["import variant\n"]
        for i in range(count):
            lines.append(
                f"\n\ndef test_c{i}():\n    assert variant.f({i}) == {self.expected(i)!r}\n"
            )
        path = self.root / "suite" / "test_hostile_suite.py"
        path.parent.mkdir(exist_ok=True)
        path.write_text("".join(lines))
        return PytestSuite(path)

    def ctx(self) -> dict[str, str]:
        assert self.tcp is not None and self.udp is not None and self.bystander is not None
        return {
            "MARK": self.mark,
            "OUTSIDE": str(self.outside),
            "TMPMARK": self.tmp_marker,
            "SHMMARK": self.shm_marker,
            "PORT": str(self.tcp.getsockname()[1]),
            "UDPPORT": str(self.udp.getsockname()[1]),
            "USOCK": str(self.root / "u.sock"),
            "BYSTANDER": str(self.bystander.pid),
            "XP8": self.expected_id[:8],
            "ENGINE": str(os.getpid()),  # the sub-engine replaces it with its own pid
        }

    # set-up and clean-up

    def open(self) -> None:
        self.outside.mkdir(parents=True)
        (self.outside / "precious.txt").write_text(f"precious-{self.mark}\n")
        (self.outside / "precious_dir").mkdir()
        (self.outside / "precious_dir" / "keep.txt").write_text("keep\n")
        self.tcp = _listener(socket.SOCK_STREAM)
        self.udp = _listener(socket.SOCK_DGRAM)
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix.bind(str(self.root / "u.sock"))
        self.unix.listen(8)
        self.unix.setblocking(False)
        # A process of the same user that no variant has any business with.
        self.bystander = subprocess.Popen(["sleep", "120"])
        self.snapshot = snapshot(self.outside)

    def close(self) -> None:
        for sock in (self.tcp, self.udp, self.unix):
            if sock is not None:
                sock.close()
        if self.bystander is not None:
            self.bystander.kill()
            self.bystander.wait()
        kill_marked(self.mark)
        for path in marked_paths(self.mark):
            if path.parent.name.startswith("evolve-sandbox-"):
                # A marker in a working directory an engine that was killed did not remove.
                path = path.parent
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    path.unlink()

    # the checks

    def harm(self, evaluation: Evaluation | None, *, leaks: tuple[str, ...] = ()) -> list[str]:
        """Everything the variant got away with, as one line each; empty if nothing."""
        found: list[str] = []
        if evaluation is not None:
            text = " ".join([evaluation.message, *(t.detail for t in evaluation.tests)])
            for token in (self.secret, f"escaped-{self.mark}", *leaks):
                if token in text:
                    found.append(f"leaked {token!r} back through the report")
        if snapshot(self.outside) != self.snapshot:
            found.append(f"changed files outside the working directory under {self.outside}")
        found += [f"left {p} behind" for p in marked_paths(self.mark, besides=self.root)]
        found += self._connections()
        survivors = marked_processes(self.mark, wait_s=1.5)
        if survivors:
            found.append(f"left {len(survivors)} process(es) running: {survivors[:5]}")
        assert self.bystander is not None
        if self.bystander.poll() is not None:
            found.append(f"killed the bystander (exit {self.bystander.returncode})")
        return found

    def _connections(self) -> list[str]:
        found = []
        for name, sock in (("tcp", self.tcp), ("unix", self.unix)):
            assert sock is not None
            sock.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                conn, _ = sock.accept()
                conn.close()
                found.append(f"connected to the test's {name} listener")
        assert self.udp is not None
        with contextlib.suppress(BlockingIOError):
            self.udp.recv(64)
            found.append("sent a datagram to the test's udp socket")
        return found


def _listener(kind: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, kind)
    sock.bind(("127.0.0.1", 0))  # loopback only: an escaped variant reaches nothing else
    if kind == socket.SOCK_STREAM:
        sock.listen(8)  # the kernel completes a connect into the backlog: no accept needed
    sock.setblocking(False)
    return sock


@contextlib.contextmanager
def world(root: Path) -> Iterator[World]:
    made = World(root)
    try:
        made.open()
        yield made
    finally:
        made.close()


def snapshot(top: Path) -> dict[str, str]:
    """Every path under `top` with its kind and content hash (symlinks not followed)."""
    seen: dict[str, str] = {}
    if not top.exists():
        return seen
    for path in sorted(top.rglob("*")):
        rel = str(path.relative_to(top))
        if path.is_symlink():
            seen[rel] = "link:" + os.readlink(path)
        elif path.is_file():
            seen[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            seen[rel] = "dir" if path.is_dir() else "other"
    return seen


def marked_paths(mark: str, besides: Path | None = None) -> list[Path]:
    """Paths carrying the marker in the shared places a variant might write to: /tmp and
    /dev/shm (and one level down, where sandbox working directories live), and the
    site-packages directories a `.pth` file would persist in."""
    found: list[Path] = []
    tops = [Path("/tmp"), Path("/dev/shm"), Path(tempfile.gettempdir())]
    for top in dict.fromkeys(tops):
        for pattern in (f"*{mark}*", f"*/*{mark}*"):
            with contextlib.suppress(OSError):
                found += top.glob(pattern)
        with contextlib.suppress(OSError):
            found += [p for p in top.iterdir() if p.is_symlink() and mark in os.readlink(p)]
    for site in SITE_DIRS:
        with contextlib.suppress(OSError):
            found += Path(site).glob(f"*{mark}*")
    # The test's own directory is no place a variant should reach, but it is not a leftover.
    return sorted(p for p in set(found) if besides is None or besides not in (p, *p.parents))


def _proc_text(pid: str, name: str) -> str:
    try:
        with open(f"/proc/{pid}/{name}", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def _alive(pid: str) -> bool:
    stat = _proc_text(pid, "stat")
    return bool(stat) and stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def _find_marked(mark: str) -> list[int]:
    me = str(os.getpid())
    return [
        int(pid)
        for pid in os.listdir("/proc")
        if pid.isdigit()
        and pid != me
        and (mark in _proc_text(pid, "comm") or mark in _proc_text(pid, "cmdline"))
        and _alive(pid)
    ]


def marked_processes(mark: str, wait_s: float) -> list[int]:
    """Live processes whose name or command line carries the marker, after giving the ones
    the sandbox already killed `wait_s` to be gone."""
    deadline = time.monotonic() + wait_s
    while True:
        found = _find_marked(mark)
        if not found or time.monotonic() >= deadline:
            return found
        time.sleep(0.05)


def kill_marked(mark: str) -> None:
    """Clean-up after an escape: only processes carrying this test's own marker."""
    for _ in range(3):
        found = _find_marked(mark)
        for pid in found:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if not found:
            return
        time.sleep(0.05)


# -- the throwaway engine -----------------------------------------------------------------------


def run_in_subengine(
    mode: str,
    template: str,
    ctx: dict[str, str],
    suite: CaseSuite,
    limits: Limits,
    secret: str,
) -> tuple[Evaluation | None, str]:
    """Evaluate in a separate engine process whose initial environment holds the secret.

    Returns the evaluation, or None and why the engine did not survive to report it.
    """
    job = {
        "mode": mode,
        "template": template,
        "ctx": ctx,
        "entry": suite.entry,
        "cases": [[c.name, list(c.args), c.expected] for c in suite.cases],
        "limits": {
            "wall_s": limits.wall_s,
            "cpu_s": limits.cpu_s,
            "memory_mb": limits.memory_mb,
            "output_bytes": limits.output_bytes,
            "file_size_mb": limits.file_size_mb,
            "open_files": limits.open_files,
        },
    }
    env = dict(os.environ, **{SECRET_NAME: secret})
    try:
        done = subprocess.run(
            [sys.executable, __file__],
            input=json.dumps(job).encode(),
            capture_output=True,
            env=env,
            timeout=ENGINE_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        return None, f"the engine hung (frozen or stuck) for {ENGINE_TIMEOUT_S} s"
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        return None, f"the engine died with status {done.returncode} {tail}"
    lines = done.stdout.decode().strip().splitlines()
    if not lines:
        return None, "the engine printed no evaluation"
    return Evaluation.from_dict(json.loads(lines[-1])), ""


def _subengine_main() -> None:
    job = json.loads(sys.stdin.read())
    box = open_sandbox(job["mode"])
    try:
        ctx = dict(job["ctx"], ENGINE=str(os.getpid()))
        cases = tuple(Case(n, tuple(a), expected=e) for n, a, e in job["cases"])
        suite: Suite = CaseSuite(job["entry"], cases)
        evaluation = box.evaluate(render(job["template"], ctx), suite, Limits(**job["limits"]))
    finally:
        box.close()
    # The engine must still be itself: it reports only if it was neither killed nor frozen.
    assert evaluation.status in Status
    print(evaluation.to_json(), flush=True)


if __name__ == "__main__":
    _subengine_main()
