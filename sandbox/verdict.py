"""Judge one run: from how the child ended and what it reported, build the `Evaluation`.

This is the supervisor's half of the work and the only place that sees expected outputs. It
does not care how the child was run (a fresh interpreter now, a forked worker later): it needs
the report document and an `ExitInfo`.
"""

from __future__ import annotations

import json
import signal
from dataclasses import dataclass
from typing import Any

from sandbox.compare import outputs_equal
from sandbox.evaluation import (
    CaseSuite,
    Evaluation,
    Limits,
    PytestSuite,
    Status,
    Suite,
    TestOutcome,
)
from sandbox.protocol import cpu_limit_s
from sandbox.pytest_verdict import judge_pytest

_DETAIL_CHARS = 200
_MESSAGE_CHARS = 300
# The kernel checks RLIMIT_CPU on scheduler ticks; allow for a tick of slack.
_CPU_SLACK_S = 0.05


@dataclass(frozen=True)
class ExitInfo:
    """How the child process ended, as the supervisor saw it."""

    returncode: int | None  # exit status, or minus the signal number; None if unknown
    cpu_s: float = 0.0
    wall_s: float = 0.0
    max_rss_mb: float = 0.0
    killed: str | None = None  # why the supervisor killed it: "timeout", "output", "result"
    stderr_tail: str = ""
    report_bytes: int = 0  # how much arrived on the report pipe, readable or not

    @property
    def signal(self) -> int | None:
        return -self.returncode if self.returncode is not None and self.returncode < 0 else None


class _Malformed(Exception):
    """The report document is not shaped as the harness writes it."""


def invalid_evaluation(suite: Suite, error: BaseException) -> Evaluation:
    """The source did not compile: nothing ran, every case counts as an error."""
    message = _one_line(f"{type(error).__name__}: {error}")
    return Evaluation(
        status=Status.INVALID,
        tests=_unreported(suite, "not run: the source does not compile"),
        message=message,
    )


def build_evaluation(
    suite: Suite,
    result: dict[str, Any] | None,
    exit_info: ExitInfo,
    limits: Limits,
    *,
    layers: tuple[str, ...],
    measure_cost: bool,
    token: str = "",
) -> Evaluation:
    """The verdict. `result` is the harness's report, or None if there was none.

    Raises only for the caller's mistakes (an expected value that is not JSON-able); a report
    the variant could have garbled gives `Status.CRASH`.
    """
    expected = expected_values(suite)
    common: dict[str, Any] = {
        "cpu_s": exit_info.cpu_s,
        "wall_s": exit_info.wall_s,
        "max_rss_mb": exit_info.max_rss_mb,
        "layers": layers,
    }
    stopped = _stopped(exit_info, limits, result)
    if stopped is not None:
        status, message = stopped
        tests = _unreported(suite, f"not reported: {status.describe()}")
        return Evaluation(status=status, tests=tests, message=message, **common)
    assert result is not None  # _stopped covers the missing report
    if token and result.get("token") != token:
        # Written by something other than the harness that was sent this evaluation's secret.
        status = Status.CRASH
        message = "the report does not carry this evaluation's token"
        tests = _unreported(suite, f"not reported: {status.describe()}")
        return Evaluation(status=status, tests=tests, message=message, **common)
    try:
        if isinstance(suite, PytestSuite):
            return _judge_pytest(suite, result, measure_cost, common)
        status, tests, message = _judge(suite, expected, result)
        cost = _cost(result) if measure_cost else None
        common["coverage"] = _coverage(result)
        common.update(case_s=_case_seconds(result), outputs=_outputs(suite, result))
        common["case_times"] = _case_times(suite, result)
    except (_Malformed, KeyError, TypeError, ValueError, AttributeError, IndexError):
        status, message = Status.CRASH, "the harness's report is malformed"
        tests, cost = _unreported(suite, f"not reported: {status.describe()}"), None
    return Evaluation(status=status, tests=tests, message=message, cost=cost, **common)


def _case_seconds(result: dict[str, Any]) -> float | None:
    seconds = result.get("case_s")
    if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds >= 0:
        return float(seconds)
    return None


def _case_times(suite: Suite, result: dict[str, Any]) -> tuple[float | None, ...]:
    """Seconds per case in suite order, None where the child reported none."""
    if not isinstance(suite, CaseSuite):
        return ()
    reported = result.get("case_times")
    if not isinstance(reported, list):
        return (None,) * len(suite.cases)
    times: list[float | None] = []
    for index in range(len(suite.cases)):
        value = reported[index] if index < len(reported) else None
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            times.append(float(value))
        else:
            times.append(None)
    return tuple(times)


def _outputs(suite: Suite, result: dict[str, Any]) -> tuple[str | None, ...]:
    """The raw JSON output of every case (None where it raised), when the suite asks."""
    if not isinstance(suite, CaseSuite) or not suite.keep_outputs:
        return ()
    reported = result["cases"]
    outputs: list[str | None] = []
    for index in range(len(suite.cases)):
        record = reported[index] if index < len(reported) else {}
        output = record.get("output")
        outputs.append(output if isinstance(output, str) else None)
    return tuple(outputs)


def _stopped(
    exit_info: ExitInfo, limits: Limits, result: dict[str, Any] | None
) -> tuple[Status, str] | None:
    """The status when the run did not get to report, or was stopped regardless."""
    if exit_info.killed == "timeout":
        return Status.TIMEOUT, f"wall-clock limit of {limits.wall_s:g} s reached"
    if exit_info.killed == "output":
        return Status.OUTPUT_LIMIT, f"wrote more than {limits.output_bytes} bytes of output"
    if exit_info.killed == "result":
        return Status.OUTPUT_LIMIT, "the results were too large to report"
    cpu_limit = cpu_limit_s(limits)
    sig = exit_info.signal
    if sig == signal.SIGXCPU or (
        sig == signal.SIGKILL and exit_info.cpu_s >= cpu_limit - _CPU_SLACK_S
    ):
        return Status.TIMEOUT, f"CPU limit of {cpu_limit} s reached"
    if result is None:
        return Status.CRASH, _death_message(exit_info)
    harness_error = result.get("harness_error")
    if harness_error is not None:
        return Status.CRASH, _one_line(f"sandbox set-up failed: {harness_error}")
    return None


def _death_message(exit_info: ExitInfo) -> str:
    code = exit_info.returncode
    if code is None:
        how = "ended in an unknown way"
    elif code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        how = f"was killed by {name}"
    else:
        how = f"exited with status {code}"
    lines = [line.strip() for line in exit_info.stderr_tail.splitlines() if line.strip()]
    tail = f" ({lines[-1]})" if lines else ""
    if exit_info.report_bytes:  # the variant wrote to the report pipe itself, or tore it
        return _one_line(f"the program {how} and its report could not be read{tail}")
    return _one_line(f"the program {how} before reporting results{tail}")


def expected_values(suite: Suite) -> tuple[Any, ...]:
    """Each case's expected value after a JSON round trip, as the variant's output will be.

    Raises TypeError or ValueError if one is not JSON-able: a mistake in the suite.
    """
    if not isinstance(suite, CaseSuite):
        return ()
    return tuple(json.loads(json.dumps(case.expected)) for case in suite.cases)


def _judge_pytest(
    suite: PytestSuite, result: dict[str, Any], measure_cost: bool, common: dict[str, Any]
) -> Evaluation:
    cost = _cost(result) if measure_cost else None
    import_error = result.get("import_error")
    if import_error is not None:
        line = _error_line(import_error)
        status = Status.MEMORY if _is_memory_error(import_error) else Status.CRASH
        tests = _unreported(suite, f"not run: {line}")
        return Evaluation(status=status, tests=tests, message=_one_line(line), **common)
    found = judge_pytest(suite, result)
    common.update(coverage=found.coverage, calls=found.calls, suite_error=found.suite_error)
    if not found.tests:
        code = result.get("pytest_exit")
        message = f"pytest reported no tests (exit status {code})"
        return Evaluation(status=Status.CRASH, message=message, cost=cost, **common)
    status, tests, message = _status(found.tests, found.memory)
    return Evaluation(status=status, tests=tests, message=message, cost=cost, **common)


def _judge(
    suite: Suite, expected: tuple[Any, ...], result: dict[str, Any]
) -> tuple[Status, tuple[TestOutcome, ...], str]:
    import_error = result.get("import_error")
    if import_error is not None:
        line = _error_line(import_error)
        status = Status.MEMORY if _is_memory_error(import_error) else Status.CRASH
        return status, _unreported(suite, f"not run: {line}"), _one_line(line)
    assert isinstance(suite, CaseSuite)
    tests, memory = _case_outcomes(suite, expected, result)
    return _status(tests, memory)


def _status(
    tests: tuple[TestOutcome, ...], memory: str | None
) -> tuple[Status, tuple[TestOutcome, ...], str]:
    if memory is not None:
        return Status.MEMORY, tests, _one_line(f"MemoryError in {memory}")
    failures = [t for t in tests if not t.passed]
    if not failures:
        return Status.OK, tests, ""
    if all(t.outcome == "timeout" for t in tests):
        # Finished within the overall limits only because each case was cut short.
        return Status.TIMEOUT, tests, "every test hit the per-case time limit"
    first = failures[0]
    message = f"{len(failures)} of {len(tests)} tests did not pass; {first.name}: {first.detail}"
    return Status.FAILED, tests, _one_line(message)


def _case_outcomes(
    suite: CaseSuite, expected: tuple[Any, ...], result: dict[str, Any]
) -> tuple[tuple[TestOutcome, ...], str | None]:
    reported = result["cases"]
    if not isinstance(reported, list):
        raise _Malformed
    outcomes: list[TestOutcome] = []
    memory: str | None = None
    for index, (case, wanted) in enumerate(zip(suite.cases, expected, strict=True)):
        if index >= len(reported):
            outcomes.append(TestOutcome(case.name, "error", "not reported"))
            continue
        record = reported[index]
        if "output" in record:
            outcomes.append(_compare(case.name, record["output"], wanted, suite.float_tolerance))
            continue
        error = record["error"]
        if _is_memory_error(error) and memory is None:
            memory = case.name
        outcome = "timeout" if _is_case_timeout(error) else "error"
        outcomes.append(TestOutcome(case.name, outcome, _detail(_error_line(error))))
    return tuple(outcomes), memory


def _compare(name: str, output_json: Any, wanted: Any, rel_tol: float) -> TestOutcome:
    if not isinstance(output_json, str):
        raise _Malformed
    try:
        equal = outputs_equal(json.loads(output_json), wanted, rel_tol)
    except RecursionError:
        return TestOutcome(name, "error", "output is nested too deeply to compare")
    if equal:
        return TestOutcome(name, "passed")
    shown_expected = _clip(json.dumps(wanted), 90)
    shown_actual = _clip(output_json, 90)
    return TestOutcome(name, "failed", _detail(f"expected {shown_expected}, got {shown_actual}"))


def _coverage(result: dict[str, Any]) -> tuple[tuple[tuple[int, int], ...], ...] | None:
    """Per case, the (line, count) pairs the harness recorded; None when it recorded none."""
    coverage = result.get("coverage")
    if coverage is None:
        return None
    cases = []
    for case in coverage:
        pairs = []
        for line, count in case:
            if type(line) is not int or type(count) is not int:
                raise _Malformed
            pairs.append((line, count))
        cases.append(tuple(pairs))
    return tuple(cases)


def _cost(result: dict[str, Any]) -> int | None:
    cost = result.get("cost")
    return cost if isinstance(cost, int) and not isinstance(cost, bool) else None


def _unreported(suite: Suite, detail: str) -> tuple[TestOutcome, ...]:
    """Every case as an error; a pytest suite's tests are unknown until pytest collects them,
    unless the suite knows them from a reference run."""
    if isinstance(suite, PytestSuite):
        return tuple(TestOutcome(name, "error", _detail(detail)) for name in suite.tests)
    return tuple(TestOutcome(case.name, "error", _detail(detail)) for case in suite.cases)


def _is_case_timeout(error: Any) -> bool:
    return isinstance(error, dict) and error.get("type") == "CaseTimeout"


def _is_memory_error(error: Any) -> bool:
    return isinstance(error, dict) and error.get("type") == "MemoryError"


def _error_line(error: Any) -> str:
    if not isinstance(error, dict):
        raise _Malformed
    kind, message = error.get("type"), str(error.get("message", ""))
    if not kind:
        return message
    return f"{kind}: {message}" if message else str(kind)


def _detail(text: str) -> str:
    return _clip(" ".join(text.split()), _DETAIL_CHARS)


def _one_line(text: str) -> str:
    return _clip(" ".join(text.split()), _MESSAGE_CHARS)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
