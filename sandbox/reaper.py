"""Ending a child, in either mode: watch its pipes until it reports, exits or runs out of
time, then kill and reap everything it left behind.

A fork-server worker is a subreaper, so every orphan of the child's tree, setsid daemons included,
becomes the worker's child: killing all of the worker's children until none is left is a
sweep that nothing escapes but a process that left through a new PID namespace (which
seccomp refuses). A fresh process (`sandbox.process`) has no subreaper: its child's session
is swept instead (`kill_session`), which misses only a process that made a session of its
own.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

_READ_CHUNK = 1 << 16
_STDERR_TAIL_BYTES = 4096
# The report of a suite with many large outputs is bigger than the output cap allows for
# stdout and stderr, but must still not exhaust the supervisor.
RESULT_CAP_BYTES = 256 << 20
_SWEEP_ROUNDS = 100
_SESSION_SWEEPS = 5
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Collected:
    """What came out of the child while it ran."""

    output_bytes: int = 0
    stderr_tail: bytes = b""
    result_parts: list[bytes] = field(default_factory=list)
    result_size: int = 0
    killed: str | None = None
    # The child closed its report pipe after writing to it: the harness is done and has
    # only its exit left. Ending the watch here keeps the exit's teardown (unmapping a
    # forked interpreter, a millisecond or two) off the answer's path.
    reported: bool = False
    exited: bool = False

    @property
    def result(self) -> bytes:
        return b"".join(self.result_parts)


def watch(
    pid: int,
    stdout: int,
    stderr: int,
    result: int,
    *,
    deadline: float,
    output_cap: int,
    request: tuple[int, bytes] | None = None,
    request_sent: Callable[[], None] | None = None,
) -> Collected:
    """Read the child's pipes until it exits (or must be killed: time, output, report size),
    writing it the rest of its `request` (a non-blocking fd and the bytes still to send);
    `request_sent` is called once all of it is written (or the child stopped reading)."""
    got = Collected()
    selector = selectors.DefaultSelector()
    pidfd = os.pidfd_open(pid)
    pending = b""
    try:
        for fd, name in ((stdout, "stdout"), (stderr, "stderr"), (result, "result")):
            os.set_blocking(fd, False)
            selector.register(fd, selectors.EVENT_READ, name)
        selector.register(pidfd, selectors.EVENT_READ, "exit")
        if request is not None:
            os.set_blocking(request[0], False)
            pending = request[1]
            if pending:
                selector.register(request[0], selectors.EVENT_WRITE, "request")
            elif request_sent is not None:
                request_sent()
        while got.killed is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                got.killed = "timeout"
                break
            exited = False
            for key, _ in selector.select(remaining):
                if key.data == "exit":
                    exited = True
                elif key.data == "request":
                    pending = _write(selector, key.fd, pending)
                    if not pending and request_sent is not None:
                        request_sent()
                else:
                    _read(selector, key.fd, key.data, got, output_cap)
            if exited or got.reported:
                got.exited = exited
                if exited:  # a grandchild may hold the pipes open: stop the group
                    kill_group(pid)
                # Take what is buffered. The harness flushed its streams before reporting,
                # so nothing of the run is left unwritten.
                for key in list(selector.get_map().values()):
                    while key.data not in ("exit", "request") and got.killed is None:
                        if not _read(selector, key.fd, key.data, got, output_cap):
                            break
                break
    finally:
        selector.close()
        os.close(pidfd)
    return got


def _write(selector: selectors.BaseSelector, fd: int, pending: bytes) -> bytes:
    try:
        pending = pending[os.write(fd, pending) :]
    except BlockingIOError:
        return pending
    except BrokenPipeError:  # the child is gone: its exit says how
        pending = b""
    if not pending:
        selector.unregister(fd)
    return pending


def _read(
    selector: selectors.BaseSelector, fd: int, name: str, got: Collected, output_cap: int
) -> bool:
    try:
        data = os.read(fd, _READ_CHUNK)
    except BlockingIOError:
        return False
    if not data:
        selector.unregister(fd)
        if name == "result" and got.result_size:
            got.reported = True
        return False
    if name == "result":
        got.result_parts.append(data)
        got.result_size += len(data)
        if got.result_size > RESULT_CAP_BYTES:
            got.killed = "result"
    else:
        got.output_bytes += len(data)
        if name == "stderr":
            got.stderr_tail = (got.stderr_tail + data)[-_STDERR_TAIL_BYTES:]
        if got.output_bytes > output_cap:
            got.killed = "output"
    return True


def kill_group(pid: int) -> None:
    """Kill the child's process group (its pid: it called setsid), and the child itself."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def kill_session(sid: int) -> None:
    """Kill what is left of the session `sid`: processes that moved to another group.

    Only the child's own pid can be the session id, and it stays ours until it is reaped, so
    this never hits a stranger. A few passes catch members forked during the previous one.
    """
    for _ in range(_SESSION_SWEEPS):
        members = [pid for pid in _processes(lambda fields: _session_of(fields) == sid)]
        members = [pid for pid in members if pid != sid]
        if not members:
            return
        for pid in members:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def reaped(pid: int) -> bool:
    """Reap `pid` if it has exited, without waiting; True when it is gone."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return done != 0


def reap(pid: int) -> tuple[int | None, float, float]:
    """Wait for the child: exit code (minus the signal), CPU seconds, peak RSS in MB."""
    try:
        _, status, usage = os.wait4(pid, 0)
    except ChildProcessError:
        return None, 0.0, 0.0
    return (
        os.waitstatus_to_exitcode(status),
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,
    )


def usage(proc: int) -> tuple[float, float] | None:
    """CPU seconds and peak RSS in MB of a child that is still alive, from /proc: what
    `reap` would give, without waiting for its exit; None once it has exited (a zombie has
    no memory figures), when `reap` gives them at once. The main thread's scheduler clock
    is exact to the nanosecond; the process's tick count (10 ms) also covers other threads,
    live and dead, so the larger of the two is never short by more than a tick.

    `proc` is the child's /proc directory, opened when it was forked (see `proc_dir`): the
    first look-up of a process's /proc entry costs more than reading all three files."""
    try:
        exact_s = int(_proc_read(proc, "schedstat").split()[0]) / 1e9
        fields = _proc_read(proc, "stat").rpartition(b")")[2].split()
        ticks_s = (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
        status = _proc_read(proc, "status")
        peak_kb = int(status.partition(b"VmHWM:")[2].split(maxsplit=1)[0])
    except (OSError, ValueError, IndexError):
        return None
    return max(exact_s, ticks_s), peak_kb / 1024


def proc_dir(pid: int) -> int:
    """An fd of /proc/<pid>, for `usage`."""
    return os.open(f"/proc/{pid}", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)


def _proc_read(proc: int, name: str) -> bytes:
    fd = os.open(name, os.O_RDONLY | os.O_CLOEXEC, dir_fd=proc)
    try:
        return os.read(fd, 1 << 16)
    finally:
        os.close(fd)


def sweep(keep: Collection[int] = ()) -> int:
    """Kill and reap every child of this process but those in `keep` (the worker's next
    child, not yet given a request, and a killed child still exiting) until there are none;
    how many there were. The list of children holds zombies too, so those of processes that
    died on their own are reaped as well."""
    killed = 0
    for _ in range(_SWEEP_ROUNDS):
        children = [pid for pid in _children() if pid not in keep]
        if not children:
            break
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for pid in children:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        killed += len(children)
    return killed


def _children() -> list[int]:
    me = os.getpid()
    try:
        with open(f"/proc/{me}/task/{me}/children", encoding="ascii") as handle:
            return [int(p) for p in handle.read().split()]
    except FileNotFoundError:  # a kernel without CONFIG_PROC_CHILDREN: scan /proc
        return _children_by_scan(me)


def _children_by_scan(parent: int) -> list[int]:
    return _processes(lambda fields: len(fields) > 1 and int(fields[1]) == parent)


def _session_of(fields: list[bytes]) -> int | None:
    """The session of a live process (zombies and the dead have none worth killing)."""
    if len(fields) > 3 and fields[0] not in (b"Z", b"X"):
        return int(fields[3])
    return None


def _processes(wanted: Callable[[list[bytes]], bool]) -> list[int]:
    """Pids of the processes whose /proc stat fields after "pid (comm)" (state, ppid, pgrp,
    session, ...) satisfy `wanted`; comm may hold spaces and ")"."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                fields = handle.read().rpartition(b")")[2].split()
        except OSError:  # gone meanwhile
            continue
        if wanted(fields):
            found.append(int(name))
    return found
