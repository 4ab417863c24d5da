"""Evaluate a variant in a fresh Python process: the simple, slow, dependable mode.

One interpreter per evaluation, started with `subprocess` (no `preexec_fn`, so it is safe to
call from many threads at once); the child limits itself before any variant code runs. The
supervisor feeds it the request, watches its output, its report pipe and its exit, kills
everything left in its session when it is done or out of time, and judges the report.
"""

from __future__ import annotations

import contextlib
import keyword
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sandbox.evaluation import CaseSuite, Evaluation, Limits, PytestSuite, Suite
from sandbox.program_files import ProgramSource, check_files, compile_files, write_files
from sandbox.protocol import encode_request, make_request, parse_result
from sandbox.verdict import ExitInfo, build_evaluation, expected_values, invalid_evaluation

HARNESS = Path(__file__).resolve().with_name("harness.py")

LAYERS = ("rlimits", "session", "fresh-cwd", "scrubbed-env", "stdin-null", "output-cap")

# The report of a suite with many large outputs is bigger than the output cap allows for
# stdout and stderr, but must still not exhaust the supervisor.
RESULT_CAP_BYTES = 256 << 20

_READ_CHUNK = 1 << 16
_STDERR_TAIL_BYTES = 4096
# Without a pidfd, how often to look for the child's exit while its pipes stay open.
_POLL_S = 0.01
_SWEEP_PASSES = 5


def evaluate(
    source: ProgramSource,
    suite: Suite,
    limits: Limits,
    *,
    module_name: str = "variant",
    measure_cost: bool = False,
    measure_coverage: bool = False,
) -> Evaluation:
    """Run `source` against `suite` under `limits` in a fresh process and judge the result.

    `source` is one module's text (imported as `module_name`) or a program of several files,
    a mapping of relative paths ("pkg/__init__.py") to texts, of which `module_name` is one.

    Never raises for anything the variant does: the returned `Evaluation`'s status says how it
    went. Raises ValueError or TypeError for the caller's mistakes (a bad module name, a case
    input or expected value that is not JSON-able), and OSError if the pytest file cannot be
    copied or no process can be started.
    """
    check_arguments(suite, module_name, source)
    expected_values(suite)  # fail now, not after the run, on an expected value that is not JSON
    try:
        check_compiles(source, module_name)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return invalid_evaluation(suite, exc)
    workdir = tempfile.mkdtemp(prefix="evolve-sandbox-")
    try:
        if not isinstance(source, str):
            write_files(workdir, source)
        if isinstance(suite, PytestSuite):
            shutil.copyfile(suite.test_file, os.path.join(workdir, suite.test_file.name))
        result_bytes, exit_info = _run_child(
            source,
            suite,
            limits,
            workdir,
            module_name=module_name,
            measure_cost=measure_cost,
            measure_coverage=measure_coverage,
        )
    finally:
        # rmtree does not follow symlinks, so a variant's link to / is removed, not walked.
        shutil.rmtree(workdir, ignore_errors=True)
    result = parse_result(result_bytes)
    return build_evaluation(
        suite,
        result,
        _own_peak_rss(exit_info, result),
        limits,
        layers=LAYERS,
        measure_cost=measure_cost,
    )


def _own_peak_rss(exit_info: ExitInfo, result: dict[str, Any] | None) -> ExitInfo:
    """The child's own peak RSS, which the harness read just before reporting: ru_maxrss
    also counts the supervisor's pages the child had between fork and exec. The report is
    the child's word, so it may only lower the kernel's figure, never raise it."""
    reported = result.get("max_rss_kb") if result is not None else None
    if type(reported) is not int or reported <= 0:
        return exit_info
    return replace(exit_info, max_rss_mb=min(exit_info.max_rss_mb, reported / 1024))


def child_command(suite: Suite) -> list[str]:
    """The interpreter command line. It is `-I` without `-E`: the environment is ours, and
    PYTHONHASHSEED must reach the child so that set order, and so the cost, is repeatable."""
    flags = ["-s", "-P", "-B"]
    if isinstance(suite, CaseSuite):
        flags.append("-S")  # no site-packages: about 10 ms faster, and the stdlib is enough
    return [sys.executable, *flags, str(HARNESS)]


def child_env(suite: Suite, workdir: str) -> dict[str, str]:
    """The child's whole environment: nothing of the supervisor's leaks through."""
    env = {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "HOME": workdir,
        "TMPDIR": workdir,  # temporary files go where rmtree will find them
    }
    if isinstance(suite, PytestSuite):
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # plugin autoload costs ~600 ms
    return env


def check_compiles(source: ProgramSource, module_name: str) -> None:
    if isinstance(source, str):
        compile(source, f"{module_name}.py", "exec", dont_inherit=True)
    else:
        compile_files(source)


def check_arguments(suite: Suite, module_name: str, source: ProgramSource = "") -> None:
    parts = module_name.split(".")
    if not all(part.isidentifier() and not keyword.iskeyword(part) for part in parts):
        raise ValueError(f"module_name {module_name!r} is not a Python identifier")
    if parts[0] in sys.stdlib_module_names or parts[0] in ("pytest", "_pytest"):
        raise ValueError(f"module_name {module_name!r} would shadow a module the harness uses")
    if isinstance(source, str):
        if len(parts) > 1:
            raise ValueError(f"module_name {module_name!r}: a single source is a plain module")
    else:
        check_files(source, module_name)
        tops = {name.split("/")[0].removesuffix(".py") for name in source}
        clashes = {top for top in tops if top in sys.stdlib_module_names or "pytest" in top}
        if isinstance(suite, PytestSuite) and suite.test_file.name in source:
            clashes.add(suite.test_file.name)
        if clashes:
            raise ValueError(f"program files would shadow the harness's modules: {sorted(clashes)}")
    if isinstance(suite, CaseSuite):
        if suite.float_tolerance < 0:
            raise ValueError("float_tolerance must not be negative")
    elif isinstance(suite, PytestSuite):
        if suite.test_file.name in (f"{module_name}.py", "pytest.ini"):
            raise ValueError(f"test file name {suite.test_file.name!r} clashes with the variant")
    else:
        raise TypeError(f"not a suite: {suite!r}")


def _run_child(
    source: ProgramSource,
    suite: Suite,
    limits: Limits,
    workdir: str,
    *,
    module_name: str,
    measure_cost: bool,
    measure_coverage: bool = False,
) -> tuple[bytes, ExitInfo]:
    result_read, result_write = os.pipe()
    try:
        payload = encode_request(
            make_request(
                source,
                suite,
                limits,
                module_name=module_name,
                measure_cost=measure_cost,
                result_fd=result_write,
                measure_coverage=measure_coverage,
            )
        )
        started = time.monotonic()
        proc = subprocess.Popen(
            child_command(suite),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=(result_write,),
            start_new_session=True,
            cwd=workdir,
            env=child_env(suite, workdir),
            bufsize=0,
        )
    except BaseException:
        os.close(result_read)
        os.close(result_write)
        raise
    os.close(result_write)  # the child holds the only write end: EOF once it is gone
    try:
        streams = _Streams(result_read, output_cap=limits.output_bytes)
        killed = streams.pump(proc, payload, deadline=started + limits.wall_s)
        ended = time.monotonic()
    finally:
        os.close(result_read)
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
        # Whatever happened, nothing the variant started in its session survives, unless it
        # made a session of its own (setsid): that escape needs a subreaper or a cgroup.
        _kill_group(proc.pid)
        _kill_session(proc.pid)
        returncode, cpu_s, max_rss_mb = _reap(proc)
    return streams.result, ExitInfo(
        returncode=returncode,
        cpu_s=cpu_s,
        wall_s=ended - started,
        max_rss_mb=max_rss_mb,
        killed=killed,
        stderr_tail=streams.stderr_tail.decode("utf-8", "replace"),
        report_bytes=len(streams.result),
    )


@dataclass
class _Streams:
    """The supervisor's end of the child's stdin, stdout, stderr and report pipe."""

    result_fd: int
    output_cap: int
    result: bytes = b""
    output_bytes: int = 0
    stderr_tail: bytes = b""
    _result_parts: list[bytes] = field(default_factory=list)
    _result_size: int = 0

    def pump(self, proc: subprocess.Popen[bytes], payload: bytes, deadline: float) -> str | None:
        """Move bytes until the child exits; return why it had to be killed, if it did."""
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        selector = selectors.DefaultSelector()
        pidfd = _open_pidfd(proc.pid)
        pending = memoryview(payload)
        try:
            stdin_fd = proc.stdin.fileno()
            os.set_blocking(stdin_fd, False)
            selector.register(stdin_fd, selectors.EVENT_WRITE, "stdin")
            for fd, name in (
                (proc.stdout.fileno(), "stdout"),
                (proc.stderr.fileno(), "stderr"),
                (self.result_fd, "result"),
            ):
                os.set_blocking(fd, False)
                selector.register(fd, selectors.EVENT_READ, name)
            if pidfd is not None:
                selector.register(pidfd, selectors.EVENT_READ, "exit")
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return "timeout"
                timeout = remaining if pidfd is not None else min(remaining, _POLL_S)
                exited = False
                for key, _ in selector.select(timeout):
                    if key.data == "stdin":
                        pending = self._write(selector, proc, pending)
                    elif key.data == "exit":
                        exited = True
                    else:
                        self._read(selector, key.fd, key.data)
                    if self.over_cap() is not None:
                        return self.over_cap()
                if exited or (pidfd is None and _has_exited(proc.pid)):
                    # A grandchild may hold the pipes open forever: stop the group, then take
                    # what is already buffered.
                    _kill_group(proc.pid)
                    self._drain(selector)
                    return self.over_cap()
        finally:
            selector.close()
            if pidfd is not None:
                os.close(pidfd)
            self.result = b"".join(self._result_parts)

    def over_cap(self) -> str | None:
        if self.output_bytes > self.output_cap:
            return "output"
        if self._result_size > RESULT_CAP_BYTES:
            return "result"
        return None

    def _write(
        self,
        selector: selectors.BaseSelector,
        proc: subprocess.Popen[bytes],
        pending: memoryview,
    ) -> memoryview:
        assert proc.stdin is not None
        try:
            pending = pending[os.write(proc.stdin.fileno(), pending) :]
        except BlockingIOError:
            return pending
        except BrokenPipeError:  # the child died before reading its request
            pending = pending[:0]
        if not pending:
            selector.unregister(proc.stdin.fileno())
            proc.stdin.close()  # EOF: the harness reads its request to the end
        return pending

    def _read(self, selector: selectors.BaseSelector, fd: int, name: str) -> bool:
        """Read one chunk; False when there is nothing more for now."""
        try:
            data = os.read(fd, _READ_CHUNK)
        except BlockingIOError:
            return False
        if not data:
            selector.unregister(fd)
            return False
        if name == "result":
            self._result_parts.append(data)
            self._result_size += len(data)
        else:
            self.output_bytes += len(data)
            if name == "stderr":
                self.stderr_tail = (self.stderr_tail + data)[-_STDERR_TAIL_BYTES:]
        return True

    def _drain(self, selector: selectors.BaseSelector) -> None:
        for key in list(selector.get_map().values()):
            if key.data in ("stdout", "stderr", "result"):
                while self.over_cap() is None and self._read(selector, key.fd, key.data):
                    pass


def _open_pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):  # before Linux 5.3: fall back to polling
        return None


def _has_exited(pid: int) -> bool:
    # WNOWAIT leaves the child a zombie, so its pid (and process group) stay ours until _reap.
    info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    return info is not None


def _kill_group(pid: int) -> None:
    """Kill the child's process group, and the child itself in case it left the group."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    # Until it is reaped, `pid` is our child (perhaps a zombie), never a recycled stranger.
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _kill_session(sid: int) -> None:
    """Kill what is left of the session `sid`: processes that moved to another group.

    Only the child's own pid can be the session id, and it stays ours until `_reap`, so this
    never hits a stranger. A few passes catch members forked during the previous one.
    """
    for _ in range(_SWEEP_PASSES):
        members = [pid for pid in _session_members(sid) if pid != sid]
        if not members:
            return
        for pid in members:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _session_members(sid: int) -> list[int]:
    members = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            fd = os.open(f"/proc/{name}/stat", os.O_RDONLY)
        except OSError:  # gone meanwhile
            continue
        try:
            stat = os.read(fd, 1024)
        except OSError:
            continue
        finally:
            os.close(fd)
        # After "pid (comm)": state, ppid, pgrp, session. comm may hold spaces and ")".
        fields = stat.rpartition(b")")[2].split()
        if len(fields) > 3 and fields[0] not in (b"Z", b"X") and int(fields[3]) == sid:
            members.append(int(name))
    return members


def _reap(proc: subprocess.Popen[bytes]) -> tuple[int | None, float, float]:
    """Wait for the child and return its exit code, CPU seconds and peak RSS in MB."""
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    except ChildProcessError:  # reaped elsewhere (SIGCHLD ignored): the verdict is unknown
        proc.returncode = -signal.SIGKILL
        return None, 0.0, 0.0
    proc.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait or warn
    return proc.returncode, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024
