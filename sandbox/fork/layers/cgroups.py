"""Control groups for one worker's children: a process cap (pids.max stops fork bombs, which
RLIMIT_NPROC does not for root), a memory cap, and a kill that reaches every member at once.

Each worker makes its own group, nested under the cgroup it runs in (so the limits of
whoever started the engine still hold), and reuses it for every child. It takes the v2
`cgroup.kill` and controllers where the v2 tree has them, the v1 `pids` and `memory`
hierarchies where this is a hybrid layout.
"""

from __future__ import annotations

import contextlib
import os
import signal

from sandbox.fork.layers import LayerReport

NAME = "cgroup"
MAX_PIDS = 64  # threads count too: enough for a variant that uses a thread pool
_MOUNT = "/sys/fs/cgroup"
# Above the address-space limit: RSS never exceeds it, page cache of written files may.
MEMORY_SLACK_BYTES = 64 << 20


class Cgroups:
    """The groups one worker made; every method is cheap enough to call per evaluation."""

    def __init__(self, kill_dir: str | None, pids_dir: str | None, memory: tuple[str, str] | None):
        self.kill_dir = kill_dir
        self.pids_dir = pids_dir
        self.memory = memory  # (directory, limit file name)

    @property
    def dirs(self) -> tuple[str, ...]:
        found = [self.kill_dir, self.pids_dir, self.memory[0] if self.memory else None]
        return tuple(dict.fromkeys(d for d in found if d is not None))

    def set_memory(self, limit_bytes: int) -> None:
        if self.memory is not None:
            directory, name = self.memory
            _write(os.path.join(directory, name), str(limit_bytes + MEMORY_SLACK_BYTES))

    def enter(self) -> None:
        """Move the calling process into every group (called by the child as it starts)."""
        pid = str(os.getpid())
        for directory in self.dirs:
            _write(os.path.join(directory, "cgroup.procs"), pid)

    def kill(self) -> bool:
        """SIGKILL every member, daemons and processes that left the session included.
        True when the kernel did it through `cgroup.kill`, which also kills a member that
        is forking meanwhile: then nothing of the group runs user code again."""
        if self.kill_dir is not None:
            with contextlib.suppress(OSError):
                _write(os.path.join(self.kill_dir, "cgroup.kill"), "1")
                return True
        for directory in self.dirs:
            for pid in _members(directory):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        return False

    def remove(self) -> None:
        self.kill()
        for directory in self.dirs:
            with contextlib.suppress(OSError):
                os.rmdir(directory)


def create(name: str) -> tuple[LayerReport, Cgroups | None]:
    own = _own_paths()
    made: list[str] = []
    kill_dir = pids_dir = None
    memory: tuple[str, str] | None = None
    v2_root = _MOUNT if os.path.exists(f"{_MOUNT}/cgroup.controllers") else f"{_MOUNT}/unified"
    reasons: list[str] = []
    if "" in own and os.path.exists(f"{v2_root}/cgroup.controllers"):
        directory = _make(f"{v2_root}{own['']}", name, made, reasons)
        if directory is not None:
            enabled = _read(f"{os.path.dirname(directory)}/cgroup.subtree_control").split()
            if os.path.exists(f"{directory}/cgroup.kill"):
                kill_dir = directory
            if "pids" in enabled:
                pids_dir = directory
            if "memory" in enabled:
                memory = (directory, "memory.max")
    if pids_dir is None and "pids" in own:
        pids_dir = _make(f"{_MOUNT}/pids{own['pids']}", name, made, reasons)
    if memory is None and "memory" in own:
        directory = _make(f"{_MOUNT}/memory{own['memory']}", name, made, reasons)
        memory = (directory, "memory.limit_in_bytes") if directory else None
    try:
        if pids_dir is not None:
            _write(f"{pids_dir}/pids.max", str(MAX_PIDS))
    except OSError as exc:
        reasons.append(f"pids.max: {exc.strerror}")
        pids_dir = None
    if kill_dir is None and pids_dir is None and memory is None:
        for directory in reversed(made):
            with contextlib.suppress(OSError):
                os.rmdir(directory)
        why = "; ".join(reasons) or "no cgroup hierarchy is mounted"
        return LayerReport(NAME, False, why), None
    parts = [
        "kill" if kill_dir else "",
        f"pids.max={MAX_PIDS}" if pids_dir else "",
        "memory" if memory else "",
    ]
    detail = "groups with " + ", ".join(p for p in parts if p)
    return LayerReport(NAME, True, detail), Cgroups(kill_dir, pids_dir, memory)


def _own_paths() -> dict[str, str]:
    """This process's cgroup path per v1 controller, and under "" its v2 path."""
    paths: dict[str, str] = {}
    for line in _read("/proc/self/cgroup").splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            paths[controller] = path.rstrip("/")
    return paths


def _make(parent: str, name: str, made: list[str], reasons: list[str]) -> str | None:
    directory = f"{parent}/{name}"
    try:
        os.mkdir(directory, 0o755)
    except FileExistsError:
        pass
    except OSError as exc:
        reasons.append(f"cannot make {directory}: {exc.strerror}")
        return None
    made.append(directory)
    return directory


def _members(directory: str) -> list[int]:
    try:
        return [int(p) for p in _read(f"{directory}/cgroup.procs").split()]
    except (OSError, ValueError):
        return []


def _read(path: str) -> str:
    try:
        with open(path, encoding="ascii") as handle:
            return handle.read()
    except OSError:
        return ""


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode("ascii"))
    finally:
        os.close(fd)


def _parents() -> list[str]:
    """The directories where this process's workers make their groups, one per hierarchy."""
    own = _own_paths()
    v2_root = _MOUNT if os.path.exists(f"{_MOUNT}/cgroup.controllers") else f"{_MOUNT}/unified"
    parents = [f"{v2_root}{own.get('', '')}"]
    for controller in ("pids", "memory"):
        if controller in own:
            parents.append(f"{_MOUNT}/{controller}{own[controller]}")
    return parents


def names(prefix: str) -> list[str]:
    """The names of the groups beside this process's own that start with `prefix`."""
    found: dict[str, None] = {}
    for parent in _parents():
        with contextlib.suppress(OSError):
            for entry in os.listdir(parent):
                if entry.startswith(prefix) and os.path.isdir(f"{parent}/{entry}"):
                    found[entry] = None
    return list(found)


def discard(name: str) -> None:
    """Kill the members of, and remove, the groups called `name` that a dead worker left."""
    existing = [d for d in (f"{p}/{name}" for p in _parents()) if os.path.isdir(d)]
    if existing:
        kill_dir = existing[0] if os.path.exists(f"{existing[0]}/cgroup.kill") else None
        Cgroups(kill_dir, None, None).kill()
        for directory in existing:
            for pid in _members(directory):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.rmdir(directory)
