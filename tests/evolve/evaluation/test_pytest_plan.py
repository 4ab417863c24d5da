"""Planning a variant's pytest run from the seed's per-test reach and the champion."""

from __future__ import annotations

from evolve.evaluation.pytest_plan import FunctionSpans, PytestSetup, without
from evolve.program.patch import Edit
from evolve.program.program import Program
from sandbox import Evaluation, Status, TestOutcome

SOURCE = (
    "def add(a, b):\n    return a + b\n\n\ndef neg(x):\n    y = -x\n    return y\n\n\nLIMIT = 3\n"
)
TESTS = ("t::add", "t::neg", "t::both", "t::none")


def _seed(program: Program) -> PytestSetup:
    setup = PytestSetup()
    coverage = Evaluation(
        Status.FAILED,
        tests=(
            TestOutcome("t::add", "passed"),
            TestOutcome("t::neg", "failed"),
            TestOutcome("t::both", "failed"),
            TestOutcome("t::none", "passed"),
        ),
        coverage=(((2, 1),), ((6, 1), (7, 1)), ((2, 1), (6, 1), (7, 1)), ()),
    )
    setup.learn_coverage(program, coverage)
    return setup


def _edit_in(program: Program, function: str) -> Edit:
    site = next(s for s in program.sites if s.function == function)
    return Edit(
        program.edits_at(site.address)[0].operator,
        site.address,
        program.edits_at(site.address)[0].payload,
    )


def test_function_bodies_are_spans_of_lines() -> None:
    spans = FunctionSpans.of(Program.parse(SOURCE))
    assert spans.spans == ((2, 2), (6, 7))
    assert spans.containing(6, 6) == 1 and spans.containing(10, 10) is None
    assert spans.reached([2, 7, 10]) == frozenset({0, 1})


def test_tests_that_cannot_reach_the_edits_are_assumed_as_on_the_seed() -> None:
    program = Program.parse(SOURCE)
    setup = _seed(program)
    champion = Evaluation(
        Status.FAILED,
        tests=tuple(
            TestOutcome(n, o)
            for n, o in zip(TESTS, ("passed", "failed", "failed", "passed"), strict=True)
        ),
    )
    plan = setup.plan(program, (_edit_in(program, "neg"),), champion, TESTS, select=True)
    assert plan is not None
    assert plan.first == ("t::neg", "t::both")
    assert dict(plan.assumed) == {"t::add": "passed", "t::none": "passed"}
    assert plan.critical == frozenset()  # the champion passes no test that can change
    unselected = setup.plan(program, (_edit_in(program, "add"),), champion, TESTS, select=False)
    assert unselected is not None and unselected.assumed == ()
    # the champion's passes first among those that reach the edit, then the others
    assert unselected.first == ("t::add", "t::both", "t::none", "t::neg")
    assert unselected.critical == frozenset({"t::add", "t::none"})


def test_an_unknown_edit_site_plans_every_test() -> None:
    program = Program.parse(SOURCE)
    setup = _seed(program)
    plan = setup.plan(program, (Edit("x", "body[99]", None),), None, TESTS, select=True)
    assert plan is not None and plan.assumed == () and set(plan.first) == set(TESTS)


def test_tests_whose_outcome_changes_are_quarantined_and_left_out() -> None:
    def run(*outcomes: str) -> Evaluation:
        return Evaluation(
            Status.FAILED,
            tests=tuple(TestOutcome(n, o) for n, o in zip(TESTS, outcomes, strict=False)),
        )

    setup = PytestSetup()
    runs = [
        run("passed", "failed", "passed", "passed"),
        run("passed", "passed", "passed"),
        run("passed", "failed", "passed", "passed"),
    ]
    assert setup.quarantine(runs) == ("t::neg", "t::none")
    cleaned = without(runs[0], setup.quarantined)
    assert [t.name for t in cleaned.tests] == ["t::add", "t::both"] and cleaned.status is Status.OK


def test_the_setup_survives_a_checkpoint() -> None:
    program = Program.parse(SOURCE)
    setup = _seed(program)
    setup.known = {"search": TESTS}
    setup.quarantined = ("t::none",)
    copy = PytestSetup()
    copy.restore(setup.state())
    assert copy.state() == setup.state()
