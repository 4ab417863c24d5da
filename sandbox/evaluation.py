"""The values the sandbox speaks in: what to run, under which limits, and what happened.

Everything here is plain data. A bad variant never makes the sandbox raise: whatever the
variant does, the caller gets an `Evaluation` whose `status` says why it did not pass.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any


class Status(enum.StrEnum):
    """Why an evaluation ended the way it did, from best to worst."""

    OK = "ok"  # every test passed
    FAILED = "failed"  # ran to the end, some tests failed
    TIMEOUT = "timeout"  # wall-clock or CPU limit reached
    MEMORY = "memory"  # address-space limit reached
    CRASH = "crash"  # died, or raised while loading, or the harness could not report
    OUTPUT_LIMIT = "output-limit"  # wrote more than the output cap
    INVALID = "invalid"  # the source does not compile
    DENIED = "denied"  # refused before running (a forbidden construct)

    def describe(self) -> str:
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    Status.OK: "every test passed",
    Status.FAILED: "some tests failed",
    Status.TIMEOUT: "stopped at the time limit",
    Status.MEMORY: "stopped at the memory limit",
    Status.CRASH: "the program crashed",
    Status.OUTPUT_LIMIT: "stopped at the output limit",
    Status.INVALID: "the source does not compile",
    Status.DENIED: "refused before running",
}


@dataclass(frozen=True)
class Limits:
    """Resource limits for one evaluation of one variant."""

    wall_s: float = 2.0
    cpu_s: float = 1.0
    memory_mb: int = 256
    output_bytes: int = 1 << 20  # stdout and stderr together
    file_size_mb: int = 16  # largest file the variant may write
    open_files: int = 64
    case_s: float | None = None  # wall time for one case; default: a tenth of wall and CPU

    def __post_init__(self) -> None:
        for name in ("wall_s", "cpu_s", "memory_mb", "output_bytes", "file_size_mb", "open_files"):
            if getattr(self, name) <= 0:
                raise ValueError(f"limit {name} must be positive")
        if self.case_s is not None and self.case_s <= 0:
            raise ValueError("limit case_s must be positive")

    @property
    def case_timeout_s(self) -> float:
        """A case that loops fails alone: the others still count. A tenth of the whole budget
        lets several hanging cases fail and the rest still finish within the limits, and keeps
        a variant that hangs everywhere from costing the whole budget case by case."""
        return self.case_s if self.case_s is not None else min(self.wall_s, self.cpu_s) / 10


@dataclass(frozen=True)
class Case:
    """One input/output test. `expected` stays in the supervisor; the child sees only inputs."""

    name: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    expected: Any = None
    entry: str | None = None  # another function of the program than the suite's entry


@dataclass(frozen=True)
class CasePlan:
    """How to run a case suite's cases in one evaluation: in which order, each under which
    CPU-time limit, and when to give up on the rest.

    A case that reaches its limit is a timeout. Once a case of `critical` times out, or
    `stop_after_timeouts` cases have, the cases not yet run are reported as timeouts without
    running them: a variant that hangs then costs a few short limits, not one per case.
    Outcomes are reported in suite order whatever the order they ran in.
    """

    order: tuple[int, ...] = ()  # case indices in the order to run them; () suite order
    cpu_s: tuple[float, ...] = ()  # per case, in suite order; 0 means no limit but case_s
    critical: frozenset[int] = frozenset()
    stop_after_timeouts: int = 0  # 0: never stop early

    def check(self, cases: int) -> None:
        """ValueError unless the plan fits a suite of `cases` cases."""
        if self.order and sorted(self.order) != list(range(cases)):
            raise ValueError("a case plan's order must list every case index once")
        if self.cpu_s and (len(self.cpu_s) != cases or any(s < 0 for s in self.cpu_s)):
            raise ValueError("a case plan needs one non-negative CPU limit per case")
        if any(not 0 <= index < cases for index in self.critical):
            raise ValueError("a case plan's critical cases must be case indices")
        if self.stop_after_timeouts < 0:
            raise ValueError("stop_after_timeouts must not be negative")

    def to_json(self) -> dict[str, Any]:
        return {
            "order": list(self.order),
            "cpu_s": list(self.cpu_s),
            "critical": sorted(self.critical),
            "stop_after_timeouts": self.stop_after_timeouts,
        }


@dataclass(frozen=True)
class CaseSuite:
    """Call `entry` of the variant with each case's arguments and compare outputs by value."""

    entry: str
    cases: tuple[Case, ...]
    float_tolerance: float = 0.0  # relative; 0 means exact
    # Return each case's raw output in `Evaluation.outputs`: a reference program's answers
    # become the expected values of a differential test.
    keep_outputs: bool = False
    plan: CasePlan | None = None  # order, per-case CPU limits, early stop; None: run them all


@dataclass(frozen=True)
class TestPlan:
    """How to run a pytest suite's tests in one evaluation, by test id.

    `first` run before the others, in that order; `assumed` are not run at all, their
    outcome known to the caller (reported as given, detail "not run"); once a test of
    `critical` does not pass, the tests not yet run are reported as not run.
    """

    __test__ = False  # not a pytest test class

    first: tuple[str, ...] = ()
    assumed: tuple[tuple[str, str], ...] = ()  # (test id, outcome)
    critical: frozenset[str] = frozenset()

    def to_json(self) -> dict[str, Any]:
        return {
            "first": list(self.first),
            "skip": [name for name, _ in self.assumed],
            "critical": sorted(self.critical),
        }


@dataclass(frozen=True)
class PytestSuite:
    """Run pytest against the variant, importable under `module_name`.

    `PytestSuite(path)` runs one test file. In general `root` is the project directory the
    suite's files are relative to (it becomes the working directory and pytest's rootdir):
    `files` are copied there (test modules, conftest.py files, the configuration, data files),
    `targets` are what pytest is given (files or directories among them), `args` further pytest
    arguments (`-k`, `-m`), `config` the configuration file among `files`. `tests` are the test
    ids the suite is known to hold (from a reference run): the verdict then takes a report's
    outcomes only for those ids and counts every one missing as not run.
    """

    test_file: Path | None = None
    root: Path | None = None
    files: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    config: str | None = None
    tests: tuple[str, ...] = ()
    plan: TestPlan | None = None

    def __post_init__(self) -> None:
        if self.root is None:
            if self.test_file is None:
                raise ValueError("a pytest suite needs a test file or a root")
            object.__setattr__(self, "root", self.test_file.parent)
        if self.test_file is not None and not self.targets:
            name = self.test_file.name
            object.__setattr__(self, "targets", (name,))
            object.__setattr__(self, "files", (*dict.fromkeys((*self.files, name)),))
        if not self.files:
            object.__setattr__(self, "files", self.targets)

    @property
    def directory(self) -> Path:
        assert self.root is not None  # set by __post_init__
        return self.root


Suite = CaseSuite | PytestSuite


@dataclass(frozen=True)
class TestOutcome:
    """The result of one test: outcome is one of passed, failed, error, timeout, skipped."""

    __test__ = False  # not a pytest test class

    name: str
    outcome: str
    detail: str = ""

    @property
    def passed(self) -> bool:
        """Whether the test did not fail: a pytest test skipped (or an expected failure,
        which pytest reports as skipped) counts, since no program can make it pass."""
        return self.outcome in ("passed", "skipped")


@dataclass(frozen=True)
class Evaluation:
    """What happened when one variant ran against one suite."""

    status: Status
    tests: tuple[TestOutcome, ...] = ()
    cpu_s: float = 0.0
    wall_s: float = 0.0
    max_rss_mb: float = 0.0
    cost: int | None = None  # deterministic cost (executed lines) when it was asked for
    layers: tuple[str, ...] = ()
    message: str = ""  # one line: why the status is not ok, when known
    # Seconds spent inside the case calls, timed in the child: process start-up and loading
    # would drown the difference a speed-up makes. None for pytest suites. Wall time: the
    # child's CPU clock ticks too coarsely here to time a case.
    case_s: float | None = None
    outputs: tuple[str | None, ...] = ()  # raw JSON per case, if the suite kept outputs
    # Per case in suite order (per test in `tests` order for pytest suites), (line, times run)
    # for each line of the variant it ran; only when asked for (fault localisation, hot
    # lines, test selection). Cases after an early stop are missing.
    coverage: tuple[tuple[tuple[int, int], ...], ...] | None = None
    # Per case in suite order, the seconds its call took (wall clock, in the child); None
    # for a case that timed out or did not run. Empty for pytest suites.
    case_times: tuple[float | None, ...] = ()
    # Why the suite itself cannot be used with this program, in one line: a test module that
    # cannot be collected, a fixture no conftest defines, no test selected. Pytest suites only.
    suite_error: str = ""
    # Pytest suites, when asked: per test (in `tests` order), the JSON-able arguments the
    # program's functions were called with (function name -> list of [args, kwargs]).
    calls: tuple[dict[str, list[Any]], ...] = ()

    @property
    def passed(self) -> int:
        return sum(1 for t in self.tests if t.passed)

    @property
    def failed(self) -> int:
        return self.total - self.passed

    @property
    def total(self) -> int:
        return len(self.tests)

    @property
    def passed_names(self) -> frozenset[str]:
        return frozenset(t.name for t in self.tests if t.passed)

    def to_dict(self) -> dict[str, Any]:
        # What `asdict` gives, without its deep copy: every evaluation is stored, and a deep
        # copy of the per-test records and coverage cost more than the rest of storing it.
        data = {name: getattr(self, name) for name in _EVALUATION_FIELDS}
        data["tests"] = tuple(
            {"name": t.name, "outcome": t.outcome, "detail": t.detail} for t in self.tests
        )
        data["status"] = self.status.value
        data.update(passed=self.passed, failed=self.failed, total=self.total)
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evaluation:
        return cls(
            status=Status(data["status"]),
            tests=tuple(TestOutcome(**t) for t in data.get("tests", ())),
            cpu_s=float(data.get("cpu_s", 0.0)),
            wall_s=float(data.get("wall_s", 0.0)),
            max_rss_mb=float(data.get("max_rss_mb", 0.0)),
            cost=data.get("cost"),
            layers=tuple(data.get("layers", ())),
            message=str(data.get("message", "")),
            case_s=data.get("case_s"),
            outputs=tuple(data.get("outputs", ())),
            coverage=_coverage(data.get("coverage")),
            case_times=tuple(None if s is None else float(s) for s in data.get("case_times", ())),
            suite_error=str(data.get("suite_error", "")),
            calls=tuple(data.get("calls", ())),
        )


def _coverage(data: Any) -> tuple[tuple[tuple[int, int], ...], ...] | None:
    if data is None:
        return None
    return tuple(tuple((int(line), int(count)) for line, count in case) for case in data)


_EVALUATION_FIELDS = tuple(f.name for f in fields(Evaluation))
