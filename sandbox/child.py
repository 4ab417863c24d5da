"""The forked child of a fork-server worker: isolate this process, then run the harness.

The order matters. Root-only set-up (entering cgroups, rlimits) comes first; then root and
capabilities go; then no_new_privs, Landlock and, last, seccomp, which refuses the calls the
earlier steps needed. A step that fails stops the child before any variant code runs.
"""

from __future__ import annotations

import fcntl
import os
import resource
import sys
from dataclasses import dataclass
from types import CodeType
from typing import Any, NoReturn

from sandbox import _linux, harness
from sandbox.layers import cgroups, identity, landlock, seccomp

RESULT_FD = 3
_RULESET_FD = 4


@dataclass(frozen=True)
class Plan:
    """What the worker prepared once, for every child to apply."""

    cgroups: cgroups.Cgroups | None = None
    identity: identity.Identity | None = None
    landlock_fd: int | None = None
    seccomp_program: bytes | None = None


@dataclass(frozen=True)
class Pipes:
    """The child's ends: stdout, stderr and the report pipe."""

    stdout: int
    stderr: int
    result: int


def run(
    plan: Plan, request: dict[str, Any], workdir: str, pipes: Pipes, code: CodeType | None = None
) -> NoReturn:
    """Never returns: the child ends with os._exit, whatever the variant does."""
    try:
        _isolate(plan, request, workdir, pipes)
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
    finally:
        os._exit(0)


def _isolate(plan: Plan, request: dict[str, Any], workdir: str, pipes: Pipes) -> None:
    os.setsid()
    ruleset = None
    if plan.landlock_fd is not None:
        # Out of the way of the dup2 calls below, then back to a fixed number.
        ruleset = fcntl.fcntl(plan.landlock_fd, fcntl.F_DUPFD_CLOEXEC, 64)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(pipes.stdout, 1)
    os.dup2(pipes.stderr, 2)
    os.dup2(pipes.result, RESULT_FD)
    if ruleset is not None:
        os.dup2(ruleset, _RULESET_FD, inheritable=False)
    # Everything else goes, the worker's own channel to the supervisor above all.
    os.closerange(RESULT_FD + 1 if ruleset is None else _RULESET_FD + 1, _max_fd())
    os.chdir(workdir)
    if plan.cgroups is not None:
        plan.cgroups.enter()
    os.environ["HOME"] = os.environ["TMPDIR"] = workdir
    tempfile_module = sys.modules.get("tempfile")
    if tempfile_module is not None:
        tempfile_module.tempdir = None  # type: ignore[attr-defined]  # forget the worker's choice
    harness.apply_limits(request["limits"])
    if plan.identity is not None:
        limit = plan.identity.nproc
        resource.setrlimit(resource.RLIMIT_NPROC, (limit, limit))
        identity.drop(plan.identity)
    _linux.prctl(_linux.PR_SET_NO_NEW_PRIVS, 1)
    if ruleset is not None:
        landlock.restrict(_RULESET_FD)
        os.close(_RULESET_FD)
    if plan.seccomp_program is not None:
        seccomp.load(plan.seccomp_program)


def _max_fd() -> int:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft if soft != resource.RLIM_INFINITY else 1 << 20
