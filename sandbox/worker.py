"""A fork-server worker: started once with a clean environment, it forks one child per request.

It runs as its own interpreter (see `forkserver.worker_command`), reads requests from the
supervisor as length-prefixed JSON on fd 0 and answers on fd 1. A request holds inputs only:
expected outputs never reach this process, so a child that reads its parent's memory finds
nothing to cheat with.
"""

from __future__ import annotations

import binascii
import contextlib
import fcntl
import gc
import marshal
import os
import shutil
import sys
import tempfile
import time
from typing import Any

from sandbox import _linux, child, framing, reaper
from sandbox.layers import ALWAYS, LayerReport, cgroups, identity, landlock, netns, seccomp

REQUEST_CAP_BYTES = 1 << 30


class Worker:
    def __init__(self, slot: int) -> None:
        self.reports: list[LayerReport] = []
        self.runs = 0
        _linux.prctl(_linux.PR_SET_CHILD_SUBREAPER, 1)
        self.reports.append(netns.enter())
        self.scratch = tempfile.mkdtemp(prefix="evolve-worker-", dir=_scratch_parent())
        read_paths = landlock.interpreter_paths()
        seccomp_report, program = seccomp.prepare()
        landlock_report, ruleset = landlock.prepare(self.scratch, read_paths)
        self.reports += [seccomp_report, landlock_report]
        cgroup_report, groups = cgroups.create(f"evolve-worker-{os.getpid()}")
        self.reports.append(cgroup_report)
        confined = program is not None and ruleset is not None
        identity_report, who = identity.plan(slot, read_paths, confined=confined)
        self.reports.append(identity_report)
        self.uid = who.uid if who is not None else None
        if self.uid is not None:
            os.chown(self.scratch, self.uid, self.uid)
        self.plan = child.Plan(groups, who, ruleset, program)
        self.layers = (*ALWAYS, *(r.name for r in self.reports if r.available))

    def hello(self) -> dict[str, Any]:
        modules = sorted({name.partition(".")[0] for name in sys.modules})
        reports = [[r.name, r.available, r.detail] for r in self.reports]
        return {
            "pid": os.getpid(),
            "layers": list(self.layers),
            "reports": reports,
            "modules": modules,
            "scratch": self.scratch,
        }

    def evaluate(self, message: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
        request: dict[str, Any] = message["request"]
        if request["suite"]["kind"] == "pytest" and "pytest" not in sys.modules:
            _preload_pytest()
        self.runs += 1
        workdir = os.path.join(self.scratch, f"run-{self.runs}")
        os.mkdir(workdir, 0o700)
        if self.uid is not None:
            os.chown(workdir, self.uid, self.uid)
        for name, text in message.get("files", {}).items():
            with open(os.path.join(workdir, os.path.basename(name)), "w", encoding="utf-8") as f:
                f.write(text)
        if self.plan.cgroups is not None:
            self.plan.cgroups.set_memory(int(request["limits"]["memory_bytes"]))
        code = None
        if "code" in message:  # from the supervisor, which compiled the source (see there)
            code = marshal.loads(binascii.a2b_base64(message["code"]))
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        res_r, res_w = os.pipe()
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            child.run(self.plan, request, workdir, child.Pipes(out_w, err_w, res_w), code)
        for fd in (out_w, err_w, res_w):
            os.close(fd)
        try:
            got = reaper.watch(
                pid,
                out_r,
                err_r,
                res_r,
                deadline=started + message["wall_s"],
                output_cap=int(message["output_bytes"]),
            )
        finally:
            reaper.kill_group(pid)
            if self.plan.cgroups is not None:
                self.plan.cgroups.kill()
            returncode, cpu_s, max_rss_mb = reaper.reap(pid)
            ended = time.monotonic()
            reaper.sweep()
            for fd in (out_r, err_r, res_r):
                os.close(fd)
            self._empty_scratch()
        exit_info = {
            "returncode": returncode,
            "cpu_s": cpu_s,
            "wall_s": ended - started,
            "max_rss_mb": max_rss_mb,
            "killed": got.killed,
            "stderr_tail": got.stderr_tail.decode("utf-8", "replace"),
            "report_bytes": got.result_size,
        }
        return exit_info, got.result

    def _empty_scratch(self) -> None:
        # rmtree does not follow symlinks: a variant's link to / is removed, not walked.
        for entry in os.listdir(self.scratch):
            path = os.path.join(self.scratch, entry)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    os.unlink(path)

    def close(self) -> None:
        if self.plan.cgroups is not None:
            self.plan.cgroups.remove()
        shutil.rmtree(self.scratch, ignore_errors=True)


def main(slot: int) -> None:
    """The worker's whole life: set up, greet, serve until the supervisor closes the pipe."""
    requests = fcntl.fcntl(0, fcntl.F_DUPFD_CLOEXEC, 10)
    answers = fcntl.fcntl(1, fcntl.F_DUPFD_CLOEXEC, 10)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):
        os.dup2(null, fd)  # a stray print must not corrupt the frames
    os.close(null)
    worker = Worker(slot)
    _forget_project_path()
    gc.freeze()  # objects from set-up stay out of collections: fewer pages copied per fork
    try:
        framing.write_json(answers, worker.hello())
        while True:
            try:
                message = framing.read_json(requests, REQUEST_CAP_BYTES)
            except framing.FrameError:
                return  # the supervisor is gone or closed us
            exit_info, report = worker.evaluate(message)
            framing.write_json(answers, exit_info)
            framing.write_frame(answers, report)
    finally:
        worker.close()


def _preload_pytest() -> None:
    """Import pytest in the worker the first time a pytest suite comes: once, not per child.
    Not before: its modules double the heap, and with it the cost of every fork."""
    with contextlib.suppress(ImportError):
        import pytest  # noqa: F401
    gc.freeze()


def _forget_project_path() -> None:
    """The child must not find the project on sys.path (Landlock would refuse it anyway)."""
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path[:] = [p for p in sys.path if p != package_root]


def _scratch_parent() -> str | None:
    """tmpfs when there is one: on overlayfs, as in containers, removing a directory costs
    milliseconds, a tenth of the whole evaluation. Files written there are memory, charged to
    the child's memory cgroup."""
    shm = "/dev/shm"
    if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK):
        return shm
    return None
