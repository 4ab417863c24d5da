"""Test doubles for the engine's seams: stand-ins the tests use where the real part would
only cost time or hide what a test checks.

Import them as `from tests.doubles import ...`: pytest's importlib mode makes the `tests`
folder importable by that name.
"""

from __future__ import annotations

import ctypes
import gc
import json
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from types import CodeType
from typing import Any, TypeVar

import pytest

from evolve.evaluation.jobs import EvaluationJob
from sandbox import (
    CaseSuite,
    Evaluation,
    Limits,
    ProgramSource,
    Sandbox,
    Suite,
    check_arguments,
    harness,
)
from sandbox import evaluate as evaluate_in_a_process
from sandbox.protocol import encode_request, make_request
from sandbox.verdict import ExitInfo, build_evaluation, expected_values, invalid_evaluation

T = TypeVar("T")
R = TypeVar("R")


class Quiet:
    """A run reporter that reports nothing."""

    def generation(self, stats: object) -> None:
        pass

    def accepted(self, change: object) -> None:
        pass


class SerialExecutor:
    """The `Executor` protocol in the calling thread, one job after another: a test can
    interrupt between two jobs, and a run's decisions can be compared with a threaded one's."""

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        return [fn(item) for item in items]

    def evaluate(self, jobs: Iterable[EvaluationJob], sandbox: Sandbox) -> list[Evaluation]:
        return self.map(lambda job: job.run(sandbox), jobs)

    def close(self) -> None:
        pass


# -- an in-process sandbox ---------------------------------------------------------------------

IN_PROCESS_LAYERS = ("in-process",)  # what its evaluations report: no isolation at all


class _WallTimeout(BaseException):
    """Raised in the evaluating thread when loading the variant outlasts the wall limit."""


class InProcessSandbox:
    """The `sandbox.Sandbox` protocol without a process, for tests of the engine's logic.

    The harness's own code (`sandbox/harness.py`, the part a forked child runs) loads the
    variant and runs the cases in this interpreter, and the supervisor's verdict
    (`sandbox/verdict.py`) judges its report: outputs, statuses, executed-line costs and
    coverage come out as the real sandbox's do for the small, honest programs engine tests
    evolve. It isolates nothing and limits only time: a watchdog thread raises the harness's
    case timeout in the evaluating thread when a case outlasts the per-case limit (and a
    timeout when loading outlasts the wall limit), which stops a Python loop but not one long
    C call. A pytest suite or a program of several files goes to the process mode instead.

    Evaluations run one at a time (a lock): the variant module is registered in
    `sys.modules` while it runs, as the harness does in its child.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.evaluations = 0  # in this process; delegated ones are not counted

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
        if not isinstance(source, str) or not isinstance(suite, CaseSuite) or record_calls:
            return evaluate_in_a_process(
                source,
                suite,
                limits,
                module_name=module_name,
                measure_cost=measure_cost,
                measure_coverage=measure_coverage,
                record_calls=record_calls,
            )
        check_arguments(suite, module_name, source)
        expected_values(suite)  # the same mistakes raise as in the real modes
        try:
            code = compile(source, f"{module_name}.py", "exec", dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            return invalid_evaluation(suite, exc)
        request = make_request(
            source,
            suite,
            limits,
            module_name=module_name,
            measure_cost=measure_cost,
            result_fd=-1,
            measure_coverage=measure_coverage,
        )
        # What the child reads: JSON, so the arguments are what a real variant gets.
        request = json.loads(encode_request(request))
        request["case_timeout_s"] = 0  # no SIGALRM: _Run times cases with the watchdog
        with self._lock:
            self.evaluations += 1
            started_wall, started_cpu = time.monotonic(), time.thread_time()
            run = _Run(request, code, limits)
            previous = sys.modules.get(module_name)
            # The watchdog's exception, raised inside a garbage-collector callback (Hypothesis
            # keeps one), would be unraisable: lost to the case, and reported by pytest as a
            # failure of the test. No collection runs while a case runs under the watchdog.
            collecting = gc.isenabled()
            gc.disable()
            try:
                result = run.run()
            except (harness._CaseTimeout, _WallTimeout):  # a timer that fired as its block
                result = None  # ended, raised after the harness could catch it: a timeout
            finally:
                if collecting:
                    gc.enable()
                if previous is None:
                    sys.modules.pop(module_name, None)
                else:
                    sys.modules[module_name] = previous
            exit_info = ExitInfo(
                returncode=0,
                cpu_s=time.thread_time() - started_cpu,
                wall_s=time.monotonic() - started_wall,
                killed="timeout" if run.load_timed_out or result is None else None,
            )
        if result is not None:
            result = json.loads(json.dumps(result))  # as the report pipe would carry it
        return build_evaluation(
            suite,
            result,
            exit_info,
            limits,
            layers=IN_PROCESS_LAYERS,
            measure_cost=measure_cost,
        )

    def close(self) -> None:
        pass


class _Run(harness._Run):
    """The harness's run with the watchdog in place of SIGALRM, which only the main thread
    can take (the engine evaluates from executor threads)."""

    def __init__(self, request: dict[str, Any], code: CodeType, limits: Limits) -> None:
        super().__init__(request, code)
        self.limits = limits
        self.load_timed_out = False

    def _load(self) -> Any:
        with _Deadline(self.limits.wall_s, _WallTimeout) as deadline:
            module = super()._load()
            error = self.result.get("import_error") or {}
            deadline.delivered = error.get("type") == _WallTimeout.__name__
        if deadline.fired:
            self.load_timed_out = True
            return None
        return module

    def _arm_cpu_limits(self) -> None:
        """No process timer in the engine's own process: `_run_case` keeps the limits."""

    def _run_case(
        self, entry: Callable[..., Any], case: dict[str, Any], max_output: int, cpu_s: float
    ) -> tuple[dict[str, Any], float | None]:
        # A case plan's CPU limit is a process timer here, which the engine's own process
        # must not take: the watchdog keeps the smaller limit in wall time instead.
        limit = self.limits.case_timeout_s
        if cpu_s > 0:
            limit = min(limit, cpu_s)
        with _Deadline(limit, harness._CaseTimeout) as deadline:
            outcome, elapsed = super()._run_case(entry, case, max_output, 0.0)
            deadline.delivered = outcome.get("error", {}).get("type") == "CaseTimeout"
        if deadline.delivered:
            message = f"case time limit of {limit:g} s reached"
            outcome, elapsed = {"error": {"type": "CaseTimeout", "message": message}}, None
        return outcome, elapsed


class _Deadline:
    """Raises `kind` in the entering thread if the block is still running after `seconds`
    (at its next bytecode: a Python loop stops, one long C call does not), and again every
    quarter second until the block ends: an exception raised while the thread runs a
    garbage-collector callback (Hypothesis installs one) is printed and lost.

    The block sets `delivered` when it saw the exception arrive. One that fired as the block
    ended may still be pending on leaving, and so may a repeat fired after the block saw the
    first; either is drained there, in a short loop, rather than taken back with
    PyThreadState_SetAsyncExc(id, NULL): on Python 3.11 that leaves a thread that traces (the
    cost counter) deaf to the next one. Left pending, it lands wherever the thread is next,
    for instance inside the thread pool's Future.set_result, which then never wakes the
    thread waiting on it."""

    AGAIN_S = 0.25

    def __init__(self, seconds: float, kind: type[BaseException]) -> None:
        self.kind = kind
        self.thread = threading.get_ident()
        self.due = time.monotonic() + seconds
        self.fired = False
        self.fires = 0  # how many times the watchdog raised it
        self.delivered = False

    def __enter__(self) -> _Deadline:
        _WATCHDOG.watch(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        _WATCHDOG.forget(self)
        if self.fired and (not self.delivered or self.fires > 1):
            try:
                until = time.monotonic() + 0.05
                while time.monotonic() < until:
                    pass
            except self.kind:
                pass


class _Watchdog:
    """One thread that raises every deadline that falls due: a thread per deadline would
    cost a thread start per case, which a busy machine (or coverage) makes slow.

    It polls (every `TICK_S`) rather than sleeping on a condition until the next deadline:
    its lock is only ever held for a moment, so a thread leaving a block (`forget`) always
    gets it, however loaded the machine; a condition's waiter woken with no time left
    could take the lock back before that thread ever did."""

    TICK_S = 0.005

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watched: dict[int, _Deadline] = {}
        self._thread: threading.Thread | None = None

    def watch(self, deadline: _Deadline) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="in-process-sandbox-watchdog", daemon=True
                )
                self._thread.start()
            self._watched[id(deadline)] = deadline

    def forget(self, deadline: _Deadline) -> None:
        with self._lock:  # after this, it is never raised again
            self._watched.pop(id(deadline), None)

    def _run(self) -> None:
        while True:
            time.sleep(self.TICK_S)
            now = time.monotonic()
            with self._lock:
                for deadline in list(self._watched.values()):
                    if deadline.due <= now:
                        deadline.fired = True
                        deadline.fires += 1
                        deadline.due = now + _Deadline.AGAIN_S
                        ctypes.pythonapi.PyThreadState_SetAsyncExc(
                            ctypes.c_ulong(deadline.thread), ctypes.py_object(deadline.kind)
                        )


_WATCHDOG = _Watchdog()


def use_in_process_sandbox(monkeypatch: pytest.MonkeyPatch, box: InProcessSandbox) -> None:
    """Make every sandbox the engine starts `box`: the run's and `evolve eval`'s (through
    `make_sandbox` in evolve.evaluation.jobs), the seed's coverage run for fault
    localisation, and `evolve verify`'s evidence re-run. Each is patched by name, so a
    rename in the engine fails here rather than quietly starting real sandboxes."""

    def make(mode: str, *, workers: int | None = None) -> Sandbox:
        return box

    monkeypatch.setattr("evolve.evaluation.jobs.make_sandbox", make)
    monkeypatch.setattr("evolve.audit.verify.make_sandbox", make)
    monkeypatch.setattr("evolve.search.localise.evaluate", box.evaluate)


@contextmanager
def in_process_sandboxes() -> Iterator[InProcessSandbox]:
    """`use_in_process_sandbox` for a block: for fixtures wider than one test, which run
    before the per-test fixture patches anything."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        box = InProcessSandbox()
        use_in_process_sandbox(monkeypatch, box)
        yield box
