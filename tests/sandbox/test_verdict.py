"""Judging a run from its report and exit, without running anything."""

import signal
from typing import Any

import pytest

from sandbox import Case, CaseSuite, Limits, Status
from sandbox.verdict import ExitInfo, build_evaluation

LIMITS = Limits(wall_s=1.0, cpu_s=1.0)
SUITE = CaseSuite(
    "f",
    (
        Case("one", (1,), expected=2),
        Case("pair", (2,), expected=(2, 3)),
        Case("flag", (3,), expected=True),
    ),
)
EXITED = ExitInfo(returncode=0, cpu_s=0.01, wall_s=0.02, max_rss_mb=10.0)
LAYERS = ("rlimits", "session")


def report(cases: Any = None, **extra: Any) -> dict[str, Any]:
    return {"version": 1, "import_error": None, "cases": cases or [], "cost": None, **extra}


def judge(result: dict[str, Any] | None, exit_info: ExitInfo = EXITED, **kwargs: Any) -> Any:
    kwargs.setdefault("measure_cost", False)
    return build_evaluation(SUITE, result, exit_info, LIMITS, layers=LAYERS, **kwargs)


def test_outputs_are_compared_in_the_supervisor() -> None:
    cases = [{"output": "2"}, {"output": "[2, 3]"}, {"output": "1"}]
    result = judge(report(cases, cost=42), measure_cost=True)
    assert result.status is Status.FAILED
    assert [t.outcome for t in result.tests] == ["passed", "passed", "failed"]
    assert result.tests[2].detail == "expected true, got 1"
    assert result.cost == 42
    assert (result.cpu_s, result.max_rss_mb, result.layers) == (0.01, 10.0, LAYERS)


def test_all_passing_is_ok() -> None:
    result = judge(report([{"output": "2"}, {"output": "[2, 3]"}, {"output": "true"}]))
    assert result.status is Status.OK and result.message == ""


def test_unreported_cases_are_errors() -> None:
    result = judge(report([{"output": "2"}]))
    assert [t.outcome for t in result.tests] == ["passed", "error", "error"]
    assert result.status is Status.FAILED


def test_a_memory_error_in_any_case_means_memory() -> None:
    cases = [{"output": "2"}, {"error": {"type": "MemoryError", "message": ""}}]
    result = judge(report(cases))
    assert result.status is Status.MEMORY
    assert result.message == "MemoryError in pair"


def test_details_are_short() -> None:
    result = judge(report([{"output": "[" + ", ".join(["1"] * 500) + "]"}]))
    assert len(result.tests[0].detail) <= 200


@pytest.mark.parametrize(
    ("exit_info", "status", "words"),
    [
        (ExitInfo(returncode=-signal.SIGXCPU, cpu_s=1.0), Status.TIMEOUT, "CPU limit"),
        (ExitInfo(returncode=-signal.SIGKILL, cpu_s=2.0), Status.TIMEOUT, "CPU limit"),
        (ExitInfo(returncode=-signal.SIGKILL, cpu_s=0.1), Status.CRASH, "SIGKILL"),
        (ExitInfo(returncode=-signal.SIGSEGV), Status.CRASH, "SIGSEGV"),
        (ExitInfo(returncode=0), Status.CRASH, "exited with status 0"),
        (ExitInfo(returncode=1, stderr_tail="Traceback\nOops: x\n"), Status.CRASH, "(Oops: x)"),
        (ExitInfo(returncode=None), Status.CRASH, "unknown"),
        (ExitInfo(returncode=0, report_bytes=10), Status.CRASH, "could not be read"),
        (ExitInfo(returncode=-signal.SIGKILL, killed="timeout"), Status.TIMEOUT, "wall-clock"),
        (ExitInfo(returncode=-signal.SIGKILL, killed="output"), Status.OUTPUT_LIMIT, "output"),
        (ExitInfo(returncode=-signal.SIGKILL, killed="result"), Status.OUTPUT_LIMIT, "results"),
    ],
)
def test_how_the_child_ended_without_a_report(
    exit_info: ExitInfo, status: Status, words: str
) -> None:
    result = judge(None, exit_info)
    assert result.status is status
    assert words in result.message
    assert [t.outcome for t in result.tests] == ["error"] * 3


def test_a_kill_by_the_supervisor_wins_over_a_report() -> None:
    killed = ExitInfo(returncode=-signal.SIGKILL, killed="timeout")
    assert judge(report([{"output": "2"}]), killed).status is Status.TIMEOUT


@pytest.mark.parametrize(
    "result",
    [
        report("not a list"),
        report([{"output": 2}]),
        report([{"output": "{not json"}]),
        report([{"error": "a string"}]),
        report([{"neither": 1}]),
        report([7]),
    ],
)
def test_a_garbled_report_is_a_crash(result: dict[str, Any]) -> None:
    evaluation = judge(result, measure_cost=True)
    assert evaluation.status is Status.CRASH
    assert evaluation.message == "the harness's report is malformed"
    assert evaluation.cost is None


def test_import_and_setup_failures() -> None:
    error = {"type": "KeyError", "message": "'x'"}
    assert judge(report(import_error=error)).message == "KeyError: 'x'"
    memory = {"type": "MemoryError", "message": ""}
    assert judge(report(import_error=memory)).status is Status.MEMORY
    failed = judge(report(harness_error="OSError()"))
    assert failed.status is Status.CRASH and "set-up" in failed.message


def test_a_cost_must_be_an_int() -> None:
    cases = [{"output": "2"}, {"output": "[2, 3]"}, {"output": "true"}]
    assert judge(report(cases, cost=True), measure_cost=True).cost is None
    assert judge(report(cases, cost=5), measure_cost=False).cost is None


def test_an_expected_value_that_is_not_json_is_a_caller_error() -> None:
    suite = CaseSuite("f", (Case("a", (), expected={1, 2}),))
    with pytest.raises(TypeError):
        build_evaluation(suite, None, EXITED, LIMITS, layers=(), measure_cost=False)
