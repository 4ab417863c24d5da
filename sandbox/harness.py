"""The child side of an evaluation: load the variant, run the suite, report raw results.

This file runs in the process that executes variant code, started as a script
(`python -s -P -B [-S] /abs/path/harness.py`). It uses the standard library only and never
imports the `sandbox` package, so nothing the supervisor holds (expected outputs above all) is
in this process. It never compares: it sends back what the variant returned, as JSON text, and
the supervisor judges.

`main` does the process I/O (request on stdin, result on a dedicated pipe);
`apply_limits` and `run_request` are plain functions so that a fork-server worker can call
them in a forked child without a new interpreter.
"""

from __future__ import annotations

import gc
import importlib
import json
import mmap
import os
import resource
import signal
import sys
import time

# `typing` costs milliseconds to import on every evaluation; annotations are strings here.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import CodeType, FrameType
    from typing import Any

PROTOCOL_VERSION = 1
_MESSAGE_CHARS = 1000
_DETAIL_CHARS = 200
# Recorded calls: at most this many per function and test, each at most this long as JSON.
_CALLS_PER_FUNCTION = 20
_CALL_CHARS = 4000
# Freed on MemoryError so that the harness has room left to write its report.
_RESERVE_BYTES = 1 << 20

# Bound before any variant code runs, so a variant that rebinds these module attributes does
# not change how the harness encodes results or checks the tracer.
_dumps = json.dumps
_gettrace = sys.gettrace
_settrace = sys.settrace
_case_clock = time.perf_counter


def main() -> None:
    """Read the request, limit this process, run the variant, report, exit without cleanup."""
    request = json.loads(sys.stdin.buffer.read())
    _stdin_to_devnull()
    result_fd = int(request["result_fd"])
    try:
        apply_limits(request["limits"])
    except Exception as exc:
        # Fail closed: variant code never runs without its limits.
        write_result(result_fd, {"version": PROTOCOL_VERSION, "harness_error": repr(exc)})
        os._exit(3)
    result = run_request(request)
    flush_standard_streams()
    result["max_rss_kb"] = peak_rss_kb()
    write_result(result_fd, result)
    # Skip interpreter teardown: the variant's atexit hooks, finalizers and non-daemon threads
    # can neither change the report nor keep the process alive.
    os._exit(0)


def apply_limits(limits: dict[str, Any]) -> None:
    """Set the rlimits of this process; raises if one cannot be set."""
    cpu_s = int(limits["cpu_s"])
    # The kernel sends SIGXCPU at the soft limit and SIGKILL at the hard one, for a variant
    # that ignores SIGXCPU.
    _set_limit(resource.RLIMIT_CPU, cpu_s, cpu_s + 1)
    _set_limit(resource.RLIMIT_AS, int(limits["memory_bytes"]))
    _set_limit(resource.RLIMIT_FSIZE, int(limits["file_size_bytes"]))
    _set_limit(resource.RLIMIT_NOFILE, int(limits["open_files"]))
    _set_limit(resource.RLIMIT_CORE, 0)


def _set_limit(which: int, soft: int, hard: int | None = None) -> None:
    hard = soft if hard is None else hard
    _, current_hard = resource.getrlimit(which)
    if current_hard != resource.RLIM_INFINITY:
        hard = min(hard, current_hard)
        soft = min(soft, hard)
    resource.setrlimit(which, (soft, hard))


def run_request(request: dict[str, Any], code: CodeType | None = None) -> dict[str, Any]:
    """Write and import the variant in the working directory, run the suite, return the report.

    With `code` (the variant compiled by the caller, a fork-server worker) and a case suite,
    the code runs in a fresh module object instead: no file written, no import machinery,
    which in a freshly forked child cost milliseconds of copy-on-write faults. A pytest suite
    imports the variant by name, so it always gets the file.

    Whatever the variant raises is caught and reported; only a variant that ends the process
    (os._exit, a signal, a limit) keeps this from returning.
    """
    if code is not None and request["suite"]["kind"] != "cases":
        code = None
    return _Run(request, code).run()


class _CaseTimeout(BaseException):
    """Raised by the per-case alarm. A BaseException, so `except Exception` in the variant
    does not swallow it; a variant that catches everything runs into the wall limit instead."""


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise _CaseTimeout("wall")


def _on_cpu_alarm(signum: int, frame: FrameType | None) -> None:
    raise _CaseTimeout("cpu")


class _Run:
    def __init__(self, request: dict[str, Any], code: CodeType | None = None) -> None:
        self.request = request
        self.code = code
        self.workdir = os.getcwd()
        self.module_name: str = request["module_name"]
        self.path = os.path.join(self.workdir, self.module_name + ".py")
        # The tracer counts lines of the files the variant's code was compiled from; lines of
        # a program of several files are numbered on from the files before it.
        files = request.get("program_files")
        if files is not None:
            traced = {os.path.join(self.workdir, name): int(offset) for name, offset in files}
        else:
            traced = {code.co_filename if code is not None else self.path: 0}
        self.counter: _LineCounter | None = None
        if request.get("measure_coverage"):
            self.counter = _LineRecorder(
                traced, bool(request.get("record_calls")), self.module_name
            )
        elif request.get("measure_cost"):
            self.counter = _LineCounter(traced)
        # Address space, not memory: RLIMIT_AS counts it, but no page is touched (zeroing a
        # bytearray would cost a millisecond of page faults per run).
        self.reserve: mmap.mmap | None = mmap.mmap(-1, _RESERVE_BYTES)
        self.finder: Any = None  # a pytest suite's compiled files
        self.prepared: Any = None  # a pytest session a fork-server worker made ready
        # The supervisor's secret for this evaluation, taken before any variant code runs: a
        # report without it was not written by this harness.
        token = request.pop("token", None)
        self.result: dict[str, Any] = {
            "token": token,
            "version": PROTOCOL_VERSION,
            "import_error": None,
            "cases": [],
            "tests": [],
            "cost": None,
        }

    def run(self) -> dict[str, Any]:
        if self.code is None:
            if self.request["source"] is not None:  # else the supervisor wrote the files
                with open(self.path, "w", encoding="utf-8") as handle:
                    handle.write(self.request["source"])
            if self.workdir not in sys.path:
                sys.path.insert(0, self.workdir)
            importlib.invalidate_caches()
        suite = self.request["suite"]
        previous_trace = _gettrace()
        try:
            if suite["kind"] == "pytest":
                try:
                    self._prepare_pytest(suite)
                except Exception as exc:  # fail closed: no variant code with the tests readable
                    return {"version": PROTOCOL_VERSION, "harness_error": repr(exc)}
            if self.counter is not None:
                self.counter.install()  # module-level code is work too: count the import
            module = self._load()
            if module is not None:
                if suite["kind"] == "cases":
                    self._run_cases(module, suite)
                else:
                    self._run_pytest(suite)
        finally:
            _settrace(previous_trace)
        if self.counter is not None:
            self.result["cost"] = self.counter.count
        return self.result

    def _load(self) -> Any:
        try:
            if self.code is None:
                return importlib.import_module(self.module_name)
            # What the import system would make, minus the file: the variant may import
            # itself by name, and its functions' globals are this module's namespace.
            module = type(sys)(self.module_name)
            module.__file__ = self.path
            sys.modules[self.module_name] = module
            exec(self.code, module.__dict__)
            return module
        except BaseException as exc:  # the variant may raise anything, SystemExit included
            self.result["import_error"] = self._describe(exc)
            return None

    def _run_cases(self, module: Any, suite: dict[str, Any]) -> None:
        entry_name = suite["entry"]
        entries: dict[str, Callable[..., Any]] = {}
        try:
            for name in dict.fromkeys(
                [entry_name, *(c["entry"] for c in suite["cases"] if "entry" in c)]
            ):
                entries[name] = getattr(module, name)
                if not callable(entries[name]):
                    raise TypeError(f"{name!r} is not callable")
        except BaseException as exc:  # a module __getattr__ is variant code
            self.result["import_error"] = self._describe(exc)
            return
        entry = entries[entry_name]
        max_output = int(self.request["max_output_bytes"])
        self.case_timeout_s = float(self.request.get("case_timeout_s", 0.0))
        if self.case_timeout_s > 0:
            signal.signal(signal.SIGALRM, _on_alarm)
        cases = suite["cases"]
        plan = suite.get("plan") or {}
        order = plan.get("order") or range(len(cases))
        cpu_limits = plan.get("cpu_s") or ()
        if any(limit > 0 for limit in cpu_limits):
            self._arm_cpu_limits()
        critical = frozenset(plan.get("critical") or ())
        stop_after = int(plan.get("stop_after_timeouts") or 0)
        # Reported in suite order whatever the order they ran in; a hole is a case not run.
        outcomes: list[dict[str, Any] | None] = [None] * len(cases)
        times: list[float | None] = [None] * len(cases)
        self.result["case_s"] = 0.0
        recorder = self.counter if isinstance(self.counter, _LineRecorder) else None
        coverage: list[list[Any]] = [[] for _ in cases]
        timeouts = 0
        stopped = ""
        for index in order:
            if stopped:
                outcomes[index] = {"error": {"type": "CaseTimeout", "message": stopped}}
                continue
            if recorder is not None:
                recorder.lines = {}
            cpu_s = float(cpu_limits[index]) if index < len(cpu_limits) else 0.0
            case = cases[index]
            function = entries[case["entry"]] if "entry" in case else entry
            outcome, times[index] = self._run_case(function, case, max_output, cpu_s)
            if recorder is not None:
                coverage[index] = sorted(recorder.lines.items())
            if self.counter is not None and not self.counter.installed():
                # Python also drops the tracer when it raises (a RecursionError deep in the
                # variant, say); that case has failed already and keeps its own error.
                if "output" in outcome:
                    outcome = {"error": {"type": None, "message": "the trace function was removed"}}
                self.counter.install()
            outcomes[index] = outcome
            if "error" in outcome and outcome["error"]["type"] == "MemoryError":
                break  # the status is decided; more cases would only fail again, slowly
            if "error" in outcome and outcome["error"]["type"] == "CaseTimeout":
                timeouts += 1
                if index in critical or (stop_after and timeouts >= stop_after):
                    # The variant cannot win on these cases, and each would cost a limit.
                    stopped = f"not run: stopped after {timeouts} case time limit(s)"
        self.result["cases"] = [
            outcome if outcome is not None else {"error": {"type": None, "message": "not run"}}
            for outcome in outcomes[: _reported_prefix(outcomes)]
        ]
        self.result["case_times"] = times
        if recorder is not None:
            self.result["coverage"] = coverage

    def _arm_cpu_limits(self) -> None:
        """Catch the CPU-time timer's signal: a case over its limit raises `_CaseTimeout`."""
        signal.signal(signal.SIGPROF, _on_cpu_alarm)

    def _run_case(
        self, entry: Callable[..., Any], case: dict[str, Any], max_output: int, cpu_s: float
    ) -> tuple[dict[str, Any], float | None]:
        """The case's outcome, and the seconds its call took (None if it did not return)."""
        elapsed: float | None = None
        try:
            if self.case_timeout_s > 0:
                signal.setitimer(signal.ITIMER_REAL, self.case_timeout_s)
            if cpu_s > 0:
                # CPU time, not wall time: a tight limit must not trip on a loaded machine.
                signal.setitimer(signal.ITIMER_PROF, cpu_s)
            # Only the call is timed: the timer syscalls and the encoding cost every variant
            # the same and would dilute the difference a speed-up makes.
            started = _case_clock()
            try:
                value = entry(*case["args"], **case["kwargs"])
            finally:
                elapsed = _case_clock() - started
                self.result["case_s"] += elapsed
                signal.setitimer(signal.ITIMER_REAL, 0)
                if cpu_s > 0:
                    signal.setitimer(signal.ITIMER_PROF, 0)
        except _CaseTimeout:
            limit = (
                f"CPU-time limit of {cpu_s:g}" if cpu_s > 0 else f"limit of {self.case_timeout_s:g}"
            )
            return {
                "error": {"type": "CaseTimeout", "message": f"case time {limit} s reached"}
            }, None
        except BaseException as exc:
            return {"error": self._describe(exc)}, elapsed
        try:
            text = _dumps(value)
        except MemoryError as exc:
            return {"error": self._describe(exc)}, elapsed
        except BaseException:  # TypeError, ValueError (cycles), RecursionError, odd subclasses
            error = {"type": None, "message": f"output is not JSON: {_type_name(value)}"}
            return {"error": error}, elapsed
        if len(text) > max_output:
            message = f"output is too large: {len(text)} characters of JSON"
            return {"error": {"type": None, "message": message}}, elapsed
        return {"output": text}, elapsed

    def _prepare_pytest(self, suite: dict[str, Any]) -> None:
        """Before any variant code: compile the suite's Python files and hide their text.
        A fork-server worker may have done so already (`pytest_run.Prepared`): then the files
        here are stubs, and the compiled code is in this process's memory."""
        runner = pytest_runner()
        for entry in suite.get("sys_path", ()):
            if entry not in sys.path:
                sys.path.append(entry)
        self.prepared = runner.PREPARED.get((suite.get("key"), self.workdir))
        if self.prepared is not None:
            self.finder = self.prepared.finder
            return
        runner.write_default_ini(self.workdir, suite)
        codes = runner.compile_sources(self.workdir, suite.get("sources", ()), suite["targets"])
        runner.hide_sources(list(codes))
        self.finder = runner.CompiledFinder(codes)
        self.finder.install()

    def _run_pytest(self, suite: dict[str, Any]) -> None:
        runner = pytest_runner()
        recorder = self.counter if isinstance(self.counter, _LineRecorder) else None
        collector = runner.Collector(
            suite.get("plan"),
            recorder,
            self.finder,
            test_timeout_s=float(self.request.get("test_timeout_s") or 0.0),
            after_time_limit=self._put_back_counter,
        )
        if self.prepared is not None:
            try:
                code = self.prepared.run(collector)
            except BaseException as exc:  # the variant may raise anything through pytest
                collector.add("<pytest>", "error", self._describe_line(exc))
                code = -1
        else:
            code = runner.run_main(suite, self.workdir, collector, self._describe_line)
        if self.counter is not None and not self.counter.installed():
            collector.add("<cost>", "error", "the trace function was removed")
        self.result.update(collector.report())
        self.result["pytest_exit"] = int(code)

    def _put_back_counter(self) -> None:
        """A test stopped at its time limit: the exception may have been raised inside the
        line counter's trace function, which Python then drops; the tests after it count."""
        if self.counter is not None and not self.counter.installed():
            self.counter.install()

    def _describe_line(self, exc: BaseException) -> str:
        return _error_line(self._describe(exc))

    def _describe(self, exc: BaseException) -> dict[str, Any]:
        if isinstance(exc, MemoryError) and self.reserve is not None:
            self.reserve.close()
            self.reserve = None
            gc.collect()
        try:
            message = str(exc)
        except BaseException:  # a variant's exception class may have a broken __str__
            message = "<unprintable>"
        return {"type": _type_name(exc), "message": message[:_MESSAGE_CHARS]}


class _LineCounter:
    """Counts line events in the program's files: a cost that does not wobble with load."""

    def __init__(self, offsets: dict[str, int]) -> None:
        self.offsets = offsets  # file -> number of program lines before it
        self.count = 0

    def install(self) -> None:
        _settrace(self.trace)

    def installed(self) -> bool:
        return _gettrace() == self.trace

    def trace(self, frame: FrameType, event: str, arg: Any) -> Callable[..., Any] | None:
        # Called for every new frame; returning None leaves other files' frames untraced.
        offset = self.offsets.get(frame.f_code.co_filename)
        if offset is None:
            return None
        return self.local if offset == 0 else self.local_from(offset)

    def local_from(self, offset: int) -> Callable[..., Any]:
        return self.local

    def local(self, frame: FrameType, event: str, arg: Any) -> Callable[..., Any]:
        if event == "line":
            self.count += 1
        return self.local


class _LineRecorder(_LineCounter):
    """Counts line events and also which lines ran how often, per case: the raw material
    for fault localisation (lines that failing cases run) and for finding hot lines. With
    `record_calls`, also the JSON-able arguments the program's module-level functions are
    called with: the shapes of generated inputs for a pytest suite."""

    def __init__(
        self, offsets: dict[str, int], record_calls: bool = False, module: str = ""
    ) -> None:
        super().__init__(offsets)
        self.module = module
        self.lines: dict[int, int] = {}
        self.record_calls = record_calls
        self.calls: dict[str, list[Any]] = {}
        self._seen: set[str] = set()

    def start_test(self) -> None:
        self.lines = {}
        self.calls = {}
        self._seen = set()

    def finish_test(self) -> tuple[list[list[int]], dict[str, list[Any]]]:
        lines = [[line, count] for line, count in sorted(self.lines.items())]
        return lines, self.calls

    def trace(self, frame: FrameType, event: str, arg: Any) -> Callable[..., Any] | None:
        local = super().trace(frame, event, arg)
        if local is not None and self.record_calls and event == "call":
            self._record(frame)
        return local

    def _record(self, frame: FrameType) -> None:
        code = frame.f_code
        name = code.co_name
        if (
            name.startswith("<")
            or frame.f_globals.get(name) is None
            or frame.f_globals.get("__name__") != self.module
        ):
            return  # only the main module's functions can be called with generated inputs
        calls = self.calls.setdefault(name, [])
        if len(calls) >= _CALLS_PER_FUNCTION:
            return
        positional = code.co_argcount
        names = code.co_varnames[: positional + code.co_kwonlyargcount]
        values = frame.f_locals
        try:
            args = [values[n] for n in names[:positional]]
            kwargs = {n: values[n] for n in names[positional:]}
            text = _dumps([args, kwargs], sort_keys=True)
        except BaseException:  # not JSON-able, or a parameter unbound: not a usable input
            return
        if len(text) <= _CALL_CHARS and text not in self._seen:
            self._seen.add(text)
            calls.append([args, kwargs])

    def local(self, frame: FrameType, event: str, arg: Any) -> Callable[..., Any]:
        if event == "line":
            self.count += 1
            line = frame.f_lineno
            self.lines[line] = self.lines.get(line, 0) + 1
        return self.local

    def local_from(self, offset: int) -> Callable[..., Any]:
        def local(frame: FrameType, event: str, arg: Any) -> Callable[..., Any]:
            if event == "line":
                self.count += 1
                line = offset + frame.f_lineno
                self.lines[line] = self.lines.get(line, 0) + 1
            return local

        return local


def pytest_runner() -> Any:
    """`sandbox/pytest_run.py`: imported already in a fork-server worker; loaded from beside
    this file when the harness runs as a script (it imports no `sandbox` module by name)."""
    module = sys.modules.get("sandbox.pytest_run") or sys.modules.get(_RUNNER_NAME)
    if module is None:
        import importlib.util

        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytest_run.py")
        spec = importlib.util.spec_from_file_location(_RUNNER_NAME, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[_RUNNER_NAME] = module
        spec.loader.exec_module(module)
    return module


_RUNNER_NAME = "_sandbox_pytest_run"


def _error_line(error: dict[str, Any]) -> str:
    if not error["type"]:
        return str(error["message"])
    return f"{error['type']}: {error['message']}" if error["message"] else str(error["type"])


def _reported_prefix(outcomes: list[dict[str, Any] | None]) -> int:
    """How many outcomes to report: up to the last case that ran or was skipped; the cases
    after a MemoryError stop are left out, and the supervisor calls them not reported."""
    end = len(outcomes)
    while end and outcomes[end - 1] is None:
        end -= 1
    return end


def _type_name(value: object) -> str:
    return type(value).__name__


def _stdin_to_devnull() -> None:
    fd = os.open(os.devnull, os.O_RDONLY)
    os.dup2(fd, 0)
    os.close(fd)


def peak_rss_kb() -> int | None:
    """This process's own peak resident set since exec (VmHWM). The kernel's ru_maxrss of a
    started interpreter also counts what the process that forked it had resident then."""
    try:
        with open("/proc/self/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def flush_standard_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:  # noqa: SIM105 -- contextlib would add milliseconds to every start
            stream.flush()
        except BaseException:  # the variant may have closed or replaced them
            pass


def write_result(fd: int, result: dict[str, Any]) -> None:
    data = _dumps(result).encode("ascii")
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.close(fd)


if __name__ == "__main__":
    main()
