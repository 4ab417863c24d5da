"""The fork server: a pool of warm workers, one evaluation at a time each.

The supervisor (this module, in the engine's process) holds the expected outputs; it sends a
worker only the request, reads back how the child ended and its raw report, and judges with
`verdict.build_evaluation`, exactly as the fresh-process mode does. A worker that dies, hangs
or answers garbage is killed and replaced, and the evaluation it was running becomes a crash
(or a timeout): the engine never hangs and never raises for what a variant does.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import json
import marshal
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import CodeType, TracebackType
from typing import Any

from sandbox.arguments import check_arguments, check_compiles
from sandbox.evaluation import Evaluation, Limits, PytestSuite, Suite
from sandbox.fork import framing
from sandbox.fork.child import RESULT_FD, encode_request
from sandbox.fork.layers import LayerReport, cgroups
from sandbox.fork.worker import LANES, cgroup_name
from sandbox.program_files import ProgramSource
from sandbox.protocol import encode_request as encode_json
from sandbox.protocol import make_request, new_token, parse_result
from sandbox.suite_files import SuiteFiles, read_suite_files
from sandbox.verdict import ExitInfo, build_evaluation, expected_values, invalid_evaluation

_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)
_START_TIMEOUT_S = 60.0  # importing pytest on a loaded machine
# Past the wall limit the worker kills the child itself; this is for a worker that does not.
_ANSWER_GRACE_S = 5.0
_ANSWER_CAP_BYTES = 512 << 20
_CLOSE_WAIT_S = 2.0
_COMPILED_CACHE = 64
# A worker imports these when its first pytest suite comes; a variant may not take their names.
_PYTEST_MODULES = frozenset({"pytest", "_pytest", "pluggy", "iniconfig", "packaging", "py"})


def worker_command(slot: int) -> list[str]:
    code = (
        f"import sys; sys.path.insert(0, {_PACKAGE_ROOT!r}); "
        f"from sandbox.fork.worker import main; main({slot})"
    )
    return [sys.executable, "-s", "-P", "-B", "-c", code]


def worker_env() -> dict[str, str]:
    """The worker's whole environment, set at exec: a child reading /proc/<pid>/environ of
    itself or its worker finds nothing of the supervisor's."""
    return {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",  # set order, and so the measured cost, repeats
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",  # plugin autoload costs ~600 ms per run
        "HOME": "/nonexistent",
    }


@functools.lru_cache(maxsize=_COMPILED_CACHE)
def _compiled(source: str, module_name: str) -> bytes:
    """The variant's code, marshalled. The code is compiled by the supervisor once: a child
    that compiles again pays about 1.7 ms, mostly copy-on-write faults. The same source comes
    again when a run re-evaluates (timed confirmation, holdout, minimisation, audit), so
    compiling is paid once per source, not once per evaluation."""
    return marshal.dumps(compile(source, f"{module_name}.py", "exec", dont_inherit=True))


def _suite_files(suite: PytestSuite) -> SuiteFiles:
    """The suite's files as the worker gets them; read again only when a file changed."""
    stamps = tuple(_stamp(suite.directory / name) for name in suite.files)
    return _read_cached(suite, stamps)


def _stamp(path: Path) -> tuple[int, int]:
    try:
        status = path.stat()
    except OSError:
        return (-1, -1)
    return (status.st_mtime_ns, status.st_size)


@functools.lru_cache(maxsize=8)
def _read_cached(suite: PytestSuite, stamps: tuple[tuple[int, int], ...]) -> SuiteFiles:
    return read_suite_files(suite)


def _preparation(
    suite: dict[str, Any], files: SuiteFiles, source: ProgramSource, module_name: str
) -> dict[str, Any]:
    """What a worker needs to prepare a pytest session for the suite (see
    `pytest_run.Prepared`): the suite's settings, a key for them and its files, and the
    names that must never be imported in the worker (the program's and the suite's own)."""
    settings = {k: suite[k] for k in ("targets", "args", "config", "sources")}
    local = {module_name.partition(".")[0]}
    if not isinstance(source, str):
        local |= {name.split("/")[0].removesuffix(".py") for name in source}
    for name, _ in files:
        local |= {part.removesuffix(".py") for part in name.split("/")}
    return {
        **settings,
        "key": _suite_key(json.dumps(settings, sort_keys=True), files),
        "local": sorted(local),
    }


@functools.lru_cache(maxsize=16)
def _suite_key(settings: str, files: SuiteFiles) -> str:
    digest = hashlib.sha256(settings.encode())
    for name, data in files:
        digest.update(f"\0{len(name)}:{name}{len(data)}:".encode())
        digest.update(data)
    return digest.hexdigest()


def worker_message(
    request: dict[str, Any], limits: Limits, files: SuiteFiles, code: CodeType | bytes | None
) -> tuple[dict[str, Any], bytes]:
    """The two frames of one request to a worker: a header for the worker itself and the
    payload that it passes to the child unread."""
    header = {
        "kind": request["suite"]["kind"],
        "suite_files": [[name, base64.b64encode(data).decode("ascii")] for name, data in files],
        "limits": request["limits"],
        "wall_s": limits.wall_s,
        "output_bytes": limits.output_bytes,
    }
    code_bytes = marshal.dumps(code) if isinstance(code, CodeType) else code or b""
    return header, encode_request(encode_json(request), code_bytes)


class WorkerFailed(Exception):
    """A worker died, stalled or broke the protocol."""


class _Worker:
    """The supervisor's handle on one worker process."""

    def __init__(self, slot: int) -> None:
        self.slot = slot
        self.proc = subprocess.Popen(
            worker_command(slot),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd="/",
            env=worker_env(),
            start_new_session=True,
            bufsize=0,
        )
        self.hello: dict[str, Any] | None = None

    def ready(self) -> dict[str, Any]:
        if self.hello is None:
            assert self.proc.stdout is not None
            deadline = time.monotonic() + _START_TIMEOUT_S
            try:
                hello = framing.read_json(self.proc.stdout.fileno(), _ANSWER_CAP_BYTES, deadline)
            except (OSError, framing.FrameError) as exc:
                raise WorkerFailed(f"the worker did not start: {exc}") from exc
            if not isinstance(hello, dict) or not isinstance(hello.get("layers"), list):
                raise WorkerFailed("the worker's greeting is malformed")
            self.hello = hello
        return self.hello

    @property
    def layers(self) -> tuple[str, ...]:
        return tuple(str(name) for name in self.ready()["layers"])

    def exchange(
        self, header: dict[str, Any], payload: bytes, deadline: float
    ) -> tuple[ExitInfo, bytes]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.ready()
            framing.write_frames(self.proc.stdin.fileno(), framing.encode_json(header), payload)
            answer = framing.read_json(self.proc.stdout.fileno(), _ANSWER_CAP_BYTES, deadline)
            report = framing.read_frame(self.proc.stdout.fileno(), _ANSWER_CAP_BYTES, deadline)
            return _exit_info(answer), report
        except (OSError, framing.FrameError) as exc:
            raise WorkerFailed(str(exc)) from exc

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self, *, kill: bool = False) -> None:
        with contextlib.suppress(OSError):
            if self.proc.stdin is not None:
                self.proc.stdin.close()  # EOF: the worker cleans up and exits
        try:
            self.proc.wait(0 if kill else _CLOSE_WAIT_S)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        # A worker that was killed could not clean up after itself.
        for lane in range(LANES):
            cgroups.discard(cgroup_name(self.proc.pid, lane))
        if self.hello is not None and isinstance(self.hello.get("scratch"), str):
            shutil.rmtree(self.hello["scratch"], ignore_errors=True)


def _exit_info(answer: Any) -> ExitInfo:
    try:
        code = answer["returncode"]
        return ExitInfo(
            returncode=None if code is None else int(code),
            cpu_s=float(answer["cpu_s"]),
            wall_s=float(answer["wall_s"]),
            max_rss_mb=float(answer["max_rss_mb"]),
            killed=None if answer["killed"] is None else str(answer["killed"]),
            stderr_tail=str(answer["stderr_tail"]),
            report_bytes=int(answer["report_bytes"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise WorkerFailed("the worker's answer is malformed") from exc


class ForkServer:
    """A pool of fork-server workers, `workers` of them (default: one per core).

    `evaluate` has the signature of `sandbox.evaluate` and may be called from many threads at
    once; each call waits for an idle worker. Close it (or use it as a context manager) to
    stop the workers; workers also exit on their own when the supervisor goes away.
    """

    def __init__(self, workers: int | None = None) -> None:
        count = workers if workers is not None else (os.cpu_count() or 1)
        if count < 1:
            raise ValueError("a fork server needs at least one worker")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._closed = False
        self._all: set[_Worker] = set()
        for slot in range(count):
            self._add(_Worker(slot))

    def __enter__(self) -> ForkServer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def layer_reports(self) -> list[LayerReport]:
        """What one worker could and could not set up (see `sandbox.probe_layers`)."""
        worker = self._take()
        try:
            reports = worker.ready()["reports"]
        finally:
            self._give_back(worker)
        return [LayerReport(str(n), bool(a), str(d)) for n, a, d in reports]

    def evaluate(
        self,
        source: ProgramSource,
        suite: Suite,
        limits: Limits,
        *,
        module_name: str = "variant",
        measure_cost: bool = False,
        measure_coverage: bool = False,
        record_calls: bool = False,
    ) -> Evaluation:
        """Like `sandbox.evaluate`, in a forked child of a warm worker."""
        check_arguments(suite, module_name, source)
        expected_values(suite)
        try:
            if isinstance(source, str):
                code_bytes = _compiled(source, module_name)
            else:  # several files: the child imports them from its working directory
                check_compiles(source, module_name)
                code_bytes = b""
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            return invalid_evaluation(suite, exc)
        files: SuiteFiles = ()
        if isinstance(suite, PytestSuite):
            files = _suite_files(suite)
        token = new_token()
        request = make_request(
            source,
            suite,
            limits,
            module_name=module_name,
            measure_cost=measure_cost,
            result_fd=RESULT_FD,
            measure_coverage=measure_coverage,
            record_calls=record_calls,
            token=token,
        )
        if isinstance(suite, PytestSuite):
            preparation = _preparation(request["suite"], files, source, module_name)
            request["suite"]["key"] = preparation["key"]
        header, payload = worker_message(request, limits, files, code_bytes)
        if isinstance(suite, PytestSuite):
            header["pytest"] = preparation
        if not isinstance(source, str):
            header["program_files"] = dict(source)
        worker = self._take()
        layers: tuple[str, ...] = ()
        try:
            layers = worker.layers
            if module_name in worker.ready()["modules"] or module_name in _PYTEST_MODULES:
                raise ValueError(f"module_name {module_name!r} would shadow a worker's module")
            deadline = time.monotonic() + limits.wall_s + _ANSWER_GRACE_S
            exit_info, report = worker.exchange(header, payload, deadline)
        except WorkerFailed as exc:
            worker = self._replace(worker)
            stalled = isinstance(exc.__cause__, framing.FrameTimeout)
            exit_info = ExitInfo(
                returncode=None,
                killed="timeout" if stalled else None,
                stderr_tail=f"the sandbox worker failed: {exc}",
            )
            report = b""
        finally:
            self._give_back(worker)
        return build_evaluation(
            suite,
            parse_result(report),
            exit_info,
            limits,
            layers=layers,
            measure_cost=measure_cost,
            token=token,
        )

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.close()

    def _add(self, worker: _Worker) -> None:
        with self._lock:
            self._all.add(worker)
        self._idle.put(worker)

    def _take(self) -> _Worker:
        if self._closed:
            raise RuntimeError("the fork server is closed")
        worker = self._idle.get()
        if not worker.alive():  # killed while idle: replace it before use
            worker = self._replace(worker)
        return worker

    def _replace(self, worker: _Worker) -> _Worker:
        with self._lock:
            self._all.discard(worker)
        worker.close(kill=True)
        fresh = _Worker(worker.slot)
        with self._lock:
            self._all.add(fresh)
        return fresh

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            closed = self._closed
        if closed:
            worker.close()
        else:
            self._idle.put(worker)


def probe_layers() -> list[LayerReport]:
    """Start one fork-server worker and report every layer it could or could not set up."""
    with ForkServer(workers=1) as server:
        return server.layer_reports()
