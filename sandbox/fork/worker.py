"""A fork-server worker: started once with a clean environment, it forks one child per request.

It runs as its own interpreter (see `forkserver.worker_command`), reads requests from the
supervisor as length-prefixed frames on fd 0 and answers on fd 1. A request holds inputs only:
expected outputs never reach this process, so a child that reads its parent's memory finds
nothing to cheat with.

Forking and isolating a child costs more than most evaluations, so the worker keeps one
child forked and isolated ahead of time, blocked on reading its request. When a request
comes, the worker hands it to that child and forks the next one while this one runs. The
two never share anything a variant could use against the other: the worker alternates
between two lanes, each with its own scratch directory, uid, Landlock ruleset and cgroups,
and whatever a child leaves behind is killed and removed before its lane's next fork.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import gc
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox import pytest_run, reaper
from sandbox.fork import _linux, child, framing
from sandbox.fork.layers import ALWAYS, LayerReport, cgroups, identity, landlock, netns, seccomp
from sandbox.program_files import write_files
from sandbox.suite_files import write_suite_files

REQUEST_CAP_BYTES = 1 << 30
LANES = 2
_PREPARED_SUITES = 8  # pytest suites kept ready at once; more start over


SCRATCH_PREFIX = "evolve-worker-"
_LEFT_BEHIND = re.compile(rf"{SCRATCH_PREFIX}(\d+)-")


def cgroup_name(worker_pid: int, lane: int) -> str:
    return f"{SCRATCH_PREFIX}{worker_pid}-{lane}"


def sweep_stale() -> int:
    """Remove the scratch directories and cgroups of workers that died without cleaning up
    (killed with their supervisor, say), so they do not pile up over many runs. Whose they
    were is in their names; anything of a process still alive is left alone. Returns how
    many were removed."""
    removed = 0
    parent = _scratch_parent() or tempfile.gettempdir()
    with contextlib.suppress(OSError):
        for entry in os.listdir(parent):
            match = _LEFT_BEHIND.match(entry)
            if match is not None and not _alive(int(match[1])):
                # rmtree does not follow symlinks: a link a variant planted is removed, not walked.
                shutil.rmtree(os.path.join(parent, entry), ignore_errors=True)
                removed += 1
    for name in cgroups.names(SCRATCH_PREFIX):
        match = _LEFT_BEHIND.match(name)
        if match is not None and not _alive(int(match[1])):
            cgroups.discard(name)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class _Child:
    """A forked child and the worker's ends of its pipes."""

    pid: int
    lane: int
    workdir: str
    stdout: int
    stderr: int
    result: int
    request: int
    proc: int  # its /proc directory, for its figures before it exits

    def close_pipes(self) -> None:
        for fd in (self.stdout, self.stderr, self.result, self.request, self.proc):
            with contextlib.suppress(OSError):
                os.close(fd)


class Worker:
    def __init__(self, slot: int) -> None:
        self.reports: list[LayerReport] = []
        self.runs = 0
        _linux.prctl(_linux.PR_SET_CHILD_SUBREAPER, 1)
        self.reports.append(netns.enter())
        sweep_stale()
        prefix = f"{SCRATCH_PREFIX}{os.getpid()}-"  # the pid tells a later sweep whose it was
        self.scratch = tempfile.mkdtemp(prefix=prefix, dir=_scratch_parent())
        os.chmod(self.scratch, 0o755)
        self.lane_dirs = [os.path.join(self.scratch, f"lane-{lane}") for lane in range(LANES)]
        for directory in self.lane_dirs:
            os.mkdir(directory, 0o700)
        read_paths = landlock.interpreter_paths()
        seccomp_report, programs = seccomp.prepare()
        program, lock = programs if programs is not None else (None, None)
        landlock_report, rulesets = _per_lane(
            [landlock.prepare(d, read_paths) for d in self.lane_dirs], os.close
        )
        self.reports += [seccomp_report, landlock_report]
        cgroup_report, groups = _per_lane(
            [cgroups.create(cgroup_name(os.getpid(), lane)) for lane in range(LANES)],
            cgroups.Cgroups.remove,
        )
        self.reports.append(cgroup_report)
        confined = program is not None and rulesets[0] is not None
        identity_report, ids = identity.plan(slot, read_paths, confined=confined, lanes=LANES)
        self.reports.append(identity_report)
        if ids is not None:
            ids = identity.drop_bounding_set(ids)
        who: list[identity.Identity | None] = list(ids) if ids is not None else [None] * LANES
        for directory, person in zip(self.lane_dirs, who, strict=True):
            if person is not None:
                os.chown(directory, person.uid, person.uid)
        self.plans = [
            child.Plan(groups[lane], who[lane], rulesets[lane], program, lock)
            for lane in range(LANES)
        ]
        self.layers = (*ALWAYS, *(r.name for r in self.reports if r.available))
        self.spare: _Child | None = None
        self.next_lane = 0
        self.finished: _Child | None = None  # its lane's scratch is emptied after the answer
        # Killed after reporting, reaped after the answer; with whether cgroup.kill did it.
        self.unreaped: tuple[int, bool] | None = None
        self.exiting: int | None = None  # killed by cgroup.kill, still exiting: reaped next
        self.memory_set: list[int | None] = [None] * LANES  # each lane's cgroup memory limit
        self.prepared: set[str] = set()  # pytest suites made ready (`_prepare`), by key
        self.warmed = False  # a whole pytest run made here, for what pytest imports lazily

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

    def prepare(self) -> None:
        """Fork the next child now, so that it is isolated before its request comes."""
        if self.spare is None:
            self.spare = self._fork()

    def evaluate(self, header: dict[str, Any], payload: bytes) -> tuple[dict[str, Any], bytes]:
        """Run one request: `header` is for the worker, `payload` (see `child.encode_request`)
        for the child. The answer is how the child ended and its raw report."""
        suite_files = [(name, base64.b64decode(data)) for name, data in header["suite_files"]]
        prepared = header.get("pytest")
        if header["kind"] == "pytest" and "pytest" not in sys.modules:
            self._discard_spare()  # forked without pytest: it would import it itself
            _preload_pytest()
        if prepared is not None and prepared["key"] not in self.prepared:
            self._discard_spare()  # forked before this suite was prepared
            self._prepare(prepared, suite_files)
        current = self.spare if self.spare is not None else self._fork()
        self.spare = None
        write_files(current.workdir, header.get("program_files", {}))
        compiled = _compiled_names(prepared, current.workdir)
        if compiled:
            # The child finds the compiled code in memory: on its disk, only stubs.
            suite_files = [
                (name, pytest_run.STUB if name in compiled else data) for name, data in suite_files
            ]
        write_suite_files(current.workdir, suite_files)
        person = self.plans[current.lane].identity
        if person is not None and suite_files and not compiled:
            # The child replaces each test file's text by a stub before loading the program.
            _give(current.workdir, [name for name, _ in suite_files], person.uid)
        plan = self.plans[current.lane]
        pending = payload
        memory = int(header["limits"]["memory_bytes"])
        if plan.cgroups is not None and self.memory_set[current.lane] != memory:
            # A cgroup write costs a syscall round per evaluation; the limit rarely changes.
            plan.cgroups.set_memory(memory)
            self.memory_set[current.lane] = memory
        started = time.monotonic()
        os.set_blocking(current.request, False)
        pending = _write_some(current.request, pending)
        got: reaper.Collected | None = None
        try:
            got = reaper.watch(
                current.pid,
                current.stdout,
                current.stderr,
                current.result,
                deadline=started + float(header["wall_s"]),
                output_cap=int(header["output_bytes"]),
                request=(current.request, pending),
            )
        finally:
            ended = time.monotonic()
            # Read before the kill: a zombie has no memory figures left.
            early = got is not None and got.reported and not got.exited
            figures = reaper.usage(current.proc) if early else None
            reaper.kill_group(current.pid)
            inert = plan.cgroups is not None and plan.cgroups.kill()
            if figures is not None:
                # It reported and is only exiting: killed, it is reaped after the answer
                # (`tidy`), so its teardown overlaps the supervisor's work, not the answer.
                cpu_s, max_rss_mb = figures
                returncode: int | None = None  # it never got to exit on its own
                self.unreaped = (current.pid, inert)
            else:
                returncode, cpu_s, max_rss_mb = reaper.reap(current.pid)
            current.close_pipes()
            self.finished = current
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

    def tidy(self) -> None:
        """Kill and reap whatever the last child left running, empty its lane's scratch
        directory, fork the next child. Called after the answer is sent, off the supervisor's
        critical path, and before the next request: nothing of one evaluation is alive
        during the next."""
        self._reap_exiting()
        if self.unreaped is not None:
            pid, inert = self.unreaped
            self.unreaped = None
            if not reaper.reaped(pid):
                if inert:
                    # cgroup.kill reached it and all it started, so none of them runs user
                    # code again; its exit may end while the worker reads the next request
                    # and hands it to the spare child. Reaped before the next fork.
                    self.exiting = pid
                else:
                    reaper.reap(pid)
        keep = [child.pid for child in (self.spare,) if child is not None]
        reaper.sweep(keep=[*keep, self.exiting] if self.exiting is not None else keep)
        if self.finished is not None:
            _empty(self.lane_dirs[self.finished.lane])
            self.finished = None
        # The next child is forked here, after the answer, not while this request's child
        # runs: a short evaluation would otherwise wait for the fork before its answer.
        if self.spare is None:
            try:
                self.spare = self._fork()
            except OSError:  # out of processes or memory for now: forked with the next request
                self.spare = None

    def _prepare(self, suite: dict[str, Any], files: list[tuple[str, bytes]]) -> None:
        """Make a pytest session ready for `suite` in each lane's working directory, before
        any child is forked (see `pytest_run.Prepared`): what the children share is paid
        once. Runs no code of the program: its modules are never imported here."""
        if len(self.prepared) >= _PREPARED_SUITES:
            pytest_run.PREPARED.clear()
            self.prepared.clear()
        if not self.warmed:
            self.warmed = True
            warm = tempfile.mkdtemp(dir=self.scratch)
            with contextlib.suppress(Exception):
                pytest_run.warm_up(warm)
            shutil.rmtree(warm, ignore_errors=True)
        texts = {name: data for name, data in files if name in set(suite["sources"])}
        pytest_run.preimport(texts, set(suite["local"]))
        for lane_dir in self.lane_dirs:
            workdir = os.path.join(lane_dir, "work")
            os.makedirs(workdir, exist_ok=True)
            configs = [(n, d) for n, d in files if n == suite.get("config")]
            write_suite_files(workdir, configs or [(pytest_run.DEFAULT_INI, b"[pytest]\n")])
            try:
                pytest_run.prepare(suite, workdir, texts)
            finally:
                _empty(lane_dir)
        self.prepared.add(suite["key"])
        gc.collect()
        gc.freeze()  # what the children share is never traversed, so never copied

    def _reap_exiting(self) -> None:
        if self.exiting is not None:
            reaper.reap(self.exiting)
            self.exiting = None

    def _fork(self) -> _Child:
        # No new child shares a lane (its cgroups above all) with one still exiting.
        self._reap_exiting()
        lane = self.next_lane
        self.next_lane = (lane + 1) % LANES
        plan = self.plans[lane]
        self.runs += 1
        # The same path for every child of a lane: a pytest session prepared for the lane
        # (see `_prepare`) knows its working directory by name.
        workdir = os.path.join(self.lane_dirs[lane], "work")
        os.mkdir(workdir, 0o700)
        if plan.identity is not None:
            os.chown(workdir, plan.identity.uid, plan.identity.uid)
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        res_r, res_w = os.pipe()
        req_r, req_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            child.serve(plan, workdir, child.Pipes(out_w, err_w, res_w, req_r))
        for fd in (out_w, err_w, res_w, req_r):
            os.close(fd)
        try:
            proc = reaper.proc_dir(pid)
        except OSError:  # cannot be while it is unreaped; if it is, its figures come from reap
            proc = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
        return _Child(pid, lane, workdir, out_r, err_r, res_r, req_w, proc)

    def _discard_spare(self) -> None:
        spare, self.spare = self.spare, None
        if spare is not None:
            reaper.kill_group(spare.pid)
            reaper.reap(spare.pid)
            spare.close_pipes()
            _empty(self.lane_dirs[spare.lane])
            self.next_lane = spare.lane

    def close(self) -> None:
        self._discard_spare()
        reaper.sweep()
        for plan in self.plans:
            if plan.cgroups is not None:
                plan.cgroups.remove()
        shutil.rmtree(self.scratch, ignore_errors=True)


def _per_lane(
    results: list[tuple[LayerReport, Any]], release: Callable[[Any], object]
) -> tuple[LayerReport, list[Any]]:
    """One report for a layer set up once per lane: in force only if every lane has it."""
    for report, value in results:
        if value is None:
            for _, other in results:
                if other is not None:
                    release(other)
            return report, [None] * len(results)
    return results[0][0], [value for _, value in results]


def _write_some(fd: int, data: bytes) -> bytes:
    """Write what the pipe takes now; the rest goes out while the worker watches the child."""
    if not data:
        return data
    try:
        return data[os.write(fd, data) :]
    except BlockingIOError:
        return data
    except BrokenPipeError:  # the child died in set-up: its report says why
        return b""


def _compiled_names(prepared: dict[str, Any] | None, workdir: str) -> frozenset[str]:
    """The suite files the prepared session for `workdir` holds compiled, by relative name."""
    if prepared is None:
        return frozenset()
    session = pytest_run.PREPARED.get((prepared["key"], workdir))
    if session is None:
        return frozenset()
    return frozenset(os.path.relpath(path, workdir) for path in session.codes)


def _give(workdir: str, names: list[str], uid: int) -> None:
    """Hand the files written under `workdir` (and the directories made for them) to `uid`."""
    paths = {workdir}
    for name in names:
        parts = name.split("/")
        for depth in range(1, len(parts) + 1):
            paths.add(os.path.join(workdir, *parts[:depth]))
    for path in sorted(paths):
        os.chown(path, uid, uid, follow_symlinks=False)


def _empty(directory: str) -> None:
    # rmtree does not follow symlinks: a variant's link to / is removed, not walked.
    for entry in os.listdir(directory):
        path = os.path.join(directory, entry)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.unlink(path)


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
        worker.prepare()
        while True:
            try:
                header = framing.read_json(requests, REQUEST_CAP_BYTES)
                payload = framing.read_frame(requests, REQUEST_CAP_BYTES)
            except framing.FrameError:
                return  # the supervisor is gone or closed us
            exit_info, report = worker.evaluate(header, payload)
            framing.write_frames(answers, framing.encode_json(exit_info), report)
            worker.tidy()
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
