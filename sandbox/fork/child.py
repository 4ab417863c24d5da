"""The forked child of a fork-server worker: isolate this process, wait for a request, run it.

A worker forks its next child ahead of time (see `worker.Worker`): the child applies every
layer it can before there is anything to run, then blocks reading its request. Fork and
isolation, most of an evaluation's cost, so overlap the evaluation before.

The order matters. Root-only set-up (entering cgroups) comes first; then root and
capabilities go; then no_new_privs, Landlock and seccomp, which refuses the calls the
earlier steps needed. The rlimits depend on the request: the child sets them when it comes
(lowering a limit needs no privilege) and then locks them with a second, small seccomp
filter. A step that fails stops the child before any variant code runs.
"""

from __future__ import annotations

import fcntl
import json
import marshal
import os
import resource
import signal
import struct
import sys
import time
from dataclasses import dataclass
from types import CodeType
from typing import Any, NoReturn

from sandbox import harness
from sandbox.fork import _linux
from sandbox.fork.layers import cgroups, identity, landlock, seccomp

RESULT_FD = 3
_RULESET_FD = 4
_REQUEST_FD = 5
# Where the fds wait while 0 to 5 are being arranged, so that no dup2 clobbers one of them.
_PARKING_FD = 64
# The request on its pipe: total length, then the marshalled code's length, code, JSON.
_LENGTHS = struct.Struct("!QQ")
_KILL_WAIT_S = 0.05  # after reporting, for the worker's kill
_WARM_UP_MODULE = "_sandbox_warm_up"
_WARM_UP_CODE = marshal.dumps(compile("def f(x):\n    return x\n", "_warm_up.py", "exec"))


@dataclass(frozen=True)
class Plan:
    """What the worker prepared once, for every child to apply."""

    cgroups: cgroups.Cgroups | None = None
    identity: identity.Identity | None = None
    landlock_fd: int | None = None
    seccomp_program: bytes | None = None
    seccomp_lock: bytes | None = None  # loaded once the request's rlimits are set


@dataclass(frozen=True)
class Pipes:
    """The child's ends: stdout, stderr, the report pipe and the request channel."""

    stdout: int
    stderr: int
    result: int
    request: int


def encode_request(request_json: bytes, code: bytes = b"") -> bytes:
    """What the worker writes to a child: the request document and the variant's code, as
    the supervisor marshalled it (only supervisor to child: nothing a variant wrote is ever
    unmarshalled outside the variant's own process)."""
    return _LENGTHS.pack(len(code) + len(request_json), len(code)) + code + request_json


def serve(plan: Plan, workdir: str, pipes: Pipes) -> NoReturn:
    """The child's whole life; never returns: it ends with os._exit, whatever the variant does."""
    try:
        _isolate(plan, workdir, pipes)
        _warm_up()
        request, code = _read_request()
        harness.apply_limits(request["limits"])
        if plan.seccomp_lock is not None:
            seccomp.load(plan.seccomp_lock)
    except BaseException as exc:  # fail closed: no variant code without every layer
        try:
            harness.write_result(
                RESULT_FD, {"version": harness.PROTOCOL_VERSION, "harness_error": repr(exc)}
            )
        finally:
            os._exit(3)
    try:
        result = harness.run_request(request, code)
        harness.flush_standard_streams()
        harness.write_result(RESULT_FD, result)
        # The worker reads this process's figures from /proc and kills it as soon as the
        # report is in: an exit in progress would hold it up. No handler of the variant's
        # runs meanwhile; if a grandchild holds the report pipe open, the worker waits for
        # the exit instead, which comes after this pause.
        signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
        time.sleep(_KILL_WAIT_S)
    finally:
        os._exit(0)


def _isolate(plan: Plan, workdir: str, pipes: Pipes) -> None:
    os.setsid()
    null = os.open(os.devnull, os.O_RDONLY)
    # fd 4 holds the Landlock ruleset, or /dev/null when there is none, until it is used.
    ruleset = plan.landlock_fd if plan.landlock_fd is not None else null
    # Out of the way of the dup2 calls below first, then each to its fixed number.
    sources = (null, pipes.stdout, pipes.stderr, pipes.result, ruleset, pipes.request)
    parked = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, _PARKING_FD) for fd in sources]
    for target, fd in enumerate(parked):
        os.dup2(fd, target, inheritable=target <= RESULT_FD)
    # Everything else goes, the worker's own channel to the supervisor above all.
    os.closerange(_REQUEST_FD + 1, _max_fd())
    os.chdir(workdir)
    if plan.cgroups is not None:
        plan.cgroups.enter()
    os.environ["HOME"] = os.environ["TMPDIR"] = workdir
    tempfile_module = sys.modules.get("tempfile")
    if tempfile_module is not None:
        tempfile_module.tempdir = None  # type: ignore[attr-defined]  # forget the worker's choice
    if plan.identity is not None:
        limit = plan.identity.nproc
        resource.setrlimit(resource.RLIMIT_NPROC, (limit, limit))
        identity.drop(plan.identity)
    _linux.prctl(_linux.PR_SET_NO_NEW_PRIVS, 1)
    if plan.landlock_fd is not None:
        landlock.restrict(_RULESET_FD)
    os.close(_RULESET_FD)  # the variant finds fds 0 to 3 only
    if plan.seccomp_program is not None:
        seccomp.load(plan.seccomp_program)


def _warm_up() -> None:
    """Run a tiny suite while there is nothing else to do. The first run in a fresh fork
    pays for a copy of every page it touches (reference counts are writes): about a
    millisecond that would otherwise fall on the variant's run."""
    request = {
        "module_name": _WARM_UP_MODULE,
        "suite": {"kind": "cases", "entry": "f", "cases": [{"args": [[1, "a"]], "kwargs": {}}]},
        "max_output_bytes": 1 << 10,
        "case_timeout_s": 60.0,
        "measure_cost": False,
    }
    code = marshal.loads(_WARM_UP_CODE)
    text = json.dumps(request)
    json.dumps(harness.run_request(json.loads(text), code))
    sys.modules.pop(_WARM_UP_MODULE, None)
    # The variant finds what it would in a fresh process.
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.signal(signal.SIGPROF, signal.SIG_DFL)


def _read_request() -> tuple[dict[str, Any], CodeType | None]:
    """Block until the worker sends the request; EOF first means the worker is gone."""
    total, code_size = _LENGTHS.unpack(_read_exactly(_LENGTHS.size))
    data = _read_exactly(total)
    os.close(_REQUEST_FD)
    code = marshal.loads(data[:code_size]) if code_size else None
    request: dict[str, Any] = json.loads(data[code_size:])
    return request, code


def _read_exactly(size: int) -> bytes:
    parts = []
    while size:
        chunk = os.read(_REQUEST_FD, min(size, 1 << 20))
        if not chunk:
            raise EOFError("the worker closed the request pipe")
        parts.append(chunk)
        size -= len(chunk)
    return b"".join(parts)


def _max_fd() -> int:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft if soft != resource.RLIM_INFINITY else 1 << 20
