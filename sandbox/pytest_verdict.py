"""Reading a pytest suite's report: outcomes per test id, checked against what is known.

The report is the child's word, and the child runs variant code. When the suite knows its
test ids (from a reference run), outcomes are taken only for those ids, each at most once; a
report naming a test the suite does not hold is malformed (a forgery that guessed wrong), and
a known test the report leaves out counts as not run, never as passed. Tests the plan did not
run get the outcome the caller assumed for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.evaluation import PytestSuite, TestOutcome

_DETAIL_CHARS = 200
_OUTCOMES = frozenset({"passed", "failed", "error", "skipped"})
ASSUMED = "not run: outcome assumed (the test cannot reach the program's changes)"


class MalformedReport(ValueError):
    """The report is not shaped as the harness writes it, or names unknown tests."""


@dataclass(frozen=True)
class PytestOutcomes:
    tests: tuple[TestOutcome, ...]
    memory: str | None  # the first test that ran out of memory
    coverage: tuple[tuple[tuple[int, int], ...], ...] | None  # per test, in `tests` order
    calls: tuple[dict[str, list[Any]], ...]  # per test, in `tests` order, when recorded
    suite_error: str  # why the suite cannot be used with this program, or ""


def judge_pytest(suite: PytestSuite, result: dict[str, Any]) -> PytestOutcomes:
    """The outcomes the report gives, checked against `suite.tests` when known.

    Raises MalformedReport (a ValueError) for a report that is not one."""
    records = result["tests"]
    if not isinstance(records, list):
        raise MalformedReport("tests is not a list")
    reported: dict[str, TestOutcome] = {}
    memory: str | None = None
    for record in records:
        if not isinstance(record, dict):
            raise MalformedReport("a test record is not an object")
        outcome = record["outcome"]
        name = record["name"]
        if outcome not in _OUTCOMES or not isinstance(name, str) or name in reported:
            raise MalformedReport(f"bad test record {name!r}")
        if record.get("memory") is True and memory is None:
            memory = name
        reported[name] = TestOutcome(name, outcome, detail(str(record.get("detail", ""))))
    collect_errors = _named_lines(result.get("collect_errors"))
    missing = _named_lines(result.get("missing_fixtures"))
    stopped = result.get("stopped") or ""
    if not isinstance(stopped, str):
        raise MalformedReport("stopped is not text")
    tests = _known_outcomes(suite, reported, collect_errors, stopped)
    names = [test.name for test in tests]
    return PytestOutcomes(
        tests=tests,
        memory=memory if memory in names else None,
        coverage=_per_test_coverage(result.get("test_coverage"), names),
        calls=_per_test_calls(result.get("test_calls"), names),
        suite_error=_suite_error(collect_errors, missing, tests, result.get("pytest_exit")),
    )


def _known_outcomes(
    suite: PytestSuite,
    reported: dict[str, TestOutcome],
    collect_errors: list[tuple[str, str]],
    stopped: str,
) -> tuple[TestOutcome, ...]:
    if not suite.tests:
        return tuple(reported.values())
    known = set(suite.tests)
    errors = {name for name, _ in collect_errors}
    unknown = [name for name in reported if name not in known and name not in errors]
    if unknown:
        raise MalformedReport(f"the report names a test the suite does not hold: {unknown[0]}")
    assumed = dict(suite.plan.assumed) if suite.plan is not None else {}
    why = stopped or (f"not run: {collect_errors[0][1]}" if collect_errors else "not run")
    outcomes = []
    for name in suite.tests:
        if name in assumed:
            outcomes.append(TestOutcome(name, assumed[name], ASSUMED))
        elif name in reported:
            outcomes.append(reported[name])
        else:
            outcomes.append(TestOutcome(name, "error", detail(why)))
    return tuple(outcomes)


def _named_lines(value: Any) -> list[tuple[str, str]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedReport("a list of errors is not a list")
    found = []
    for item in value:
        if not isinstance(item, dict):
            raise MalformedReport("an error record is not an object")
        found.append((str(item["name"]), detail(str(item.get("detail", "")))))
    return found


def _suite_error(
    collect_errors: list[tuple[str, str]],
    missing: list[tuple[str, str]],
    tests: tuple[TestOutcome, ...],
    exit_status: Any,
) -> str:
    if collect_errors:
        name, text = collect_errors[0]
        return f"{name}: cannot be collected: {text}"
    if missing:
        name, text = missing[0]
        return f"{name}: {text}"
    if not tests:
        return f"no tests selected (pytest exit status {exit_status})"
    return ""


def _per_test_coverage(
    value: Any, names: list[str]
) -> tuple[tuple[tuple[int, int], ...], ...] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise MalformedReport("test coverage is not an object")
    per_test = []
    for name in names:
        pairs = []
        for line, count in value.get(name, ()):
            if type(line) is not int or type(count) is not int:
                raise MalformedReport("a coverage pair is not two integers")
            pairs.append((line, count))
        per_test.append(tuple(pairs))
    return tuple(per_test)


def _per_test_calls(value: Any, names: list[str]) -> tuple[dict[str, list[Any]], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise MalformedReport("recorded calls are not an object")
    calls = []
    for name in names:
        found = value.get(name, {})
        if not isinstance(found, dict):
            raise MalformedReport("a test's calls are not an object")
        calls.append({str(k): list(v) for k, v in found.items() if isinstance(v, list)})
    return tuple(calls)


def detail(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _DETAIL_CHARS else text[: _DETAIL_CHARS - 3] + "..."
