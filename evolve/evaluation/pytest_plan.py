"""Only the pytest tests that matter, as often as they matter.

The seed runs once with per-test line coverage: each test is mapped to the program's
functions whose bodies it ran. A variant's edits all lie in function bodies (the sites
are nodes inside functions), so a test that ran none of the edited functions' lines on the
seed runs exactly as it did there (tests are deterministic: flaky ones are quarantined) and
its outcome is the seed's: it is not run again (repairs; a speed-up runs every test, since
its cost counts them all). The tests that reach the edits run first, those the champion
passes first among them, and the variant stops at the first of those it fails: it cannot
be accepted any more (`sandbox.TestPlan`).

Flaky tests: the seed's suite runs `SEED_RUNS` times before the search; a test whose outcome
changes is quarantined, deselected from every later run, reported and never used to accept
or reject.

Everything here is learnt from the seed and kept in the run's checkpoint, so a resumed run
plans alike.
"""

from __future__ import annotations

import ast
import bisect
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from evolve.program.patch import Patch
from evolve.program.program import Program
from sandbox import Evaluation, PytestSuite, Suite, TestPlan

SEED_RUNS = 3  # runs of the seed's suite that must agree on a test's outcome


@dataclass(frozen=True)
class FunctionSpans:
    """The body of every function of the seed, as ranges of program lines (numbered across
    files as the sandbox numbers them)."""

    spans: tuple[tuple[int, int], ...]  # (first, last) body line, sorted

    @classmethod
    def of(cls, program: Program) -> FunctionSpans:
        spans: list[tuple[int, int]] = []
        offset = 0
        for text in program.files.values():
            try:
                tree = ast.parse(text)
            except (SyntaxError, ValueError):
                tree = ast.Module(body=[], type_ignores=[])
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
                    first = node.body[0].lineno
                    last = node.end_lineno or node.body[-1].lineno
                    spans.append((first + offset, last + offset))
            offset += len(text.splitlines())
        return cls(tuple(sorted(spans)))

    def containing(self, first: int, last: int) -> int | None:
        """The index of the innermost function body spanning lines first..last, or None."""
        best: int | None = None
        end = bisect.bisect_right(self.spans, (first, 1 << 62))
        for index in range(end):
            start, stop = self.spans[index]
            if start <= first and last <= stop and (best is None or start >= self.spans[best][0]):
                best = index
        return best

    def reached(self, lines: Iterable[int]) -> frozenset[int]:
        """The functions whose bodies hold any of `lines`."""
        found = set()
        for line in lines:
            for index, (start, stop) in enumerate(self.spans):
                if start <= line <= stop:
                    found.add(index)
        return frozenset(found)


class PytestSetup:
    """What a run learns of its pytest suites from the seed; checkpointed with the search
    (it has `state` and `restore`)."""

    def __init__(self) -> None:
        self.known: dict[str, tuple[str, ...]] = {}  # suite name -> test ids
        self.quarantined: tuple[str, ...] = ()
        self.reach: dict[str, frozenset[int]] = {}  # test id -> functions it runs (seed)
        self.seed_outcomes: dict[str, str] = {}  # test id -> the seed's outcome
        self.spans: FunctionSpans | None = None
        self.selection = True  # tests that cannot reach the edits are not run (repairs)
        # The JSON-able arguments the main module's functions received in the seed's tests:
        # function -> distinct [args, kwargs], the shapes generated inputs are drawn from.
        self.calls: dict[str, list[list[Any]]] = {}

    # what the seed tells -----------------------------------------------------------------

    def learn_tests(self, suite_name: str, evaluation: Evaluation) -> None:
        if evaluation.tests and suite_name not in self.known:
            self.known[suite_name] = tuple(test.name for test in evaluation.tests)

    def quarantine(self, runs: Sequence[Evaluation]) -> tuple[str, ...]:
        """Tests whose outcome differs between the seed's runs, now quarantined."""
        outcomes: dict[str, set[str]] = {}
        for evaluation in runs:
            for test in evaluation.tests:
                outcomes.setdefault(test.name, set()).add(test.outcome)
        names = [name for name, seen in outcomes.items() if len(seen) > 1]
        # A test missing from a run (the run stopped, or it was not collected) is flaky too.
        every = set(outcomes)
        names += [n for n in every if any(n not in {t.name for t in r.tests} for r in runs)]
        self.quarantined = tuple(sorted(set(names)))
        return self.quarantined

    def learn_coverage(self, program: Program, evaluation: Evaluation) -> None:
        """Each test's reach, from the seed's coverage run."""
        self.spans = FunctionSpans.of(program)
        if evaluation.coverage is None:
            return
        for test, lines in zip(evaluation.tests, evaluation.coverage, strict=False):
            self.reach[test.name] = self.spans.reached(line for line, _ in lines)
            self.seed_outcomes[test.name] = test.outcome
        self.calls = recorded_calls(evaluation)

    # what a variant runs -----------------------------------------------------------------

    def suite(self, name: str, suite: Suite) -> Suite:
        """`suite` with the quarantined tests deselected and its known test ids."""
        if not isinstance(suite, PytestSuite):
            return suite
        args = list(suite.args)
        for test in self.quarantined if name == "search" else ():
            args += ["--deselect", test]
        known = tuple(t for t in self.known.get(name, ()) if t not in self.quarantined)
        return replace(suite, args=tuple(args), tests=known)

    def plan(
        self,
        program: Program,
        patch: Patch,
        champion: Evaluation | None,
        known: Sequence[str],
        *,
        select: bool,
    ) -> TestPlan | None:
        """The order, the tests not run and the stop for a variant of `patch`."""
        if not known:
            return None
        passed = champion.passed_names if champion is not None else frozenset()
        edited = self._edited(program, patch)
        reaching: list[str] = []
        rest: list[str] = []
        assumed: list[tuple[str, str]] = []
        for name in known:
            reach = self.reach.get(name)
            if edited is None or reach is None or reach & edited:
                reaching.append(name)
            elif select and self.selection and name in self.seed_outcomes:
                assumed.append((name, self.seed_outcomes[name]))
            else:
                rest.append(name)
        first = sorted(reaching, key=lambda n: n not in passed) + sorted(
            rest, key=lambda n: n not in passed
        )
        return TestPlan(
            first=tuple(first),
            assumed=tuple(assumed),
            critical=frozenset(passed) - {name for name, _ in assumed},
        )

    def _edited(self, program: Program, patch: Patch) -> frozenset[int] | None:
        """The functions whose bodies the patch edits; None when an edit lies outside every
        function body (or is unknown): then every test may be affected."""
        if self.spans is None or not self.reach:
            return None
        found = set()
        for edit in patch:
            try:
                lines = program.site(edit.site).lines
            except KeyError:
                return None
            index = self.spans.containing(lines[0], lines[-1])
            if index is None:
                return None
            found.add(index)
        return frozenset(found)

    # checkpoint --------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        return {
            "known": {name: list(tests) for name, tests in self.known.items()},
            "quarantined": list(self.quarantined),
            "reach": {name: sorted(functions) for name, functions in self.reach.items()},
            "seed_outcomes": dict(self.seed_outcomes),
            "spans": [list(span) for span in self.spans.spans] if self.spans else None,
            "calls": self.calls,
        }

    def restore(self, state: Mapping[str, Any]) -> None:
        self.known = {str(k): tuple(str(t) for t in v) for k, v in state["known"].items()}
        self.quarantined = tuple(str(t) for t in state["quarantined"])
        self.reach = {str(k): frozenset(int(i) for i in v) for k, v in state["reach"].items()}
        self.seed_outcomes = {str(k): str(v) for k, v in state["seed_outcomes"].items()}
        self.calls = {str(k): list(v) for k, v in state.get("calls", {}).items()}
        spans = state.get("spans")
        self.spans = (
            None if spans is None else FunctionSpans(tuple((int(a), int(b)) for a, b in spans))
        )


CALLS_PER_FUNCTION = 60  # distinct recorded calls kept per function


def recorded_calls(evaluation: Evaluation) -> dict[str, list[list[Any]]]:
    """The distinct calls each function received over all tests, in test order, capped."""
    found: dict[str, dict[str, list[Any]]] = {}
    for per_test in evaluation.calls:
        for function, calls in per_test.items():
            seen = found.setdefault(function, {})
            for call in calls:
                if len(seen) >= CALLS_PER_FUNCTION:
                    break
                if isinstance(call, list) and len(call) == 2 and isinstance(call[1], dict):
                    seen.setdefault(json.dumps(call, sort_keys=True), call)
    return {function: list(calls.values()) for function, calls in found.items()}


def without(evaluation: Evaluation, names: Iterable[str]) -> Evaluation:
    """`evaluation` with the tests `names` left out, its status judged again."""
    dropped = frozenset(names)
    if not dropped & {t.name for t in evaluation.tests}:
        return evaluation
    keep = [i for i, t in enumerate(evaluation.tests) if t.name not in dropped]
    tests = tuple(evaluation.tests[i] for i in keep)
    coverage = evaluation.coverage
    if coverage is not None:
        coverage = tuple(coverage[i] for i in keep if i < len(coverage))
    calls = tuple(evaluation.calls[i] for i in keep if i < len(evaluation.calls))
    status = evaluation.status
    if status.value in ("ok", "failed"):
        status = type(status)("ok" if all(t.passed for t in tests) else "failed")
    return replace(evaluation, tests=tests, coverage=coverage, calls=calls, status=status)
