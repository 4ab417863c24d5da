"""The in-process sandbox the engine tests use judges programs as the real sandbox does: the
same statuses, per-test outcomes, executed-line costs and coverage for the kinds of program
engine tests evolve, so an engine test cannot pass on the double and fail for real."""

from __future__ import annotations

import threading

import pytest

from sandbox import Case, CaseSuite, Evaluation, Limits, Status
from sandbox import evaluate as evaluate_in_a_process
from tests.doubles import IN_PROCESS_LAYERS, InProcessSandbox

SUITE = CaseSuite("f", tuple(Case(f"c{i}", (i,), expected=e) for i, e in enumerate([0, 2, 4, 6])))
LIMITS = Limits(wall_s=2.0, cpu_s=1.0, case_s=0.1)

PROGRAMS = {
    "passes": "def f(x):\n    return 2 * x\n",
    "fails-some": "def f(x):\n    return x * x\n",
    "raises": "def f(x):\n    return [0, 2][x]\n",
    "loops-on-one-case": "def f(x):\n    while x == 3:\n        pass\n    return 2 * x\n",
    "loops-on-every-case": "def f(x):\n    while True:\n        x += 1\n",
    "does-not-compile": "def f(x)\n    return x\n",
    "no-entry": "def g(x):\n    return x\n",
    "raises-on-import": "raise KeyError('boom')\n",
    "not-json": "def f(x):\n    return {x}\n",
    "costly": "def f(x):\n    t = 0\n    for i in range(x):\n        t += 2\n    return t\n",
}


def summary(evaluation: Evaluation) -> tuple[object, ...]:
    return (
        evaluation.status,
        [(t.name, t.outcome, t.detail) for t in evaluation.tests],
        evaluation.message,
    )


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_the_double_judges_as_the_process_mode_does(name: str) -> None:
    source = PROGRAMS[name]
    box = InProcessSandbox()
    real = evaluate_in_a_process(source, SUITE, LIMITS, measure_cost=True)
    double = box.evaluate(source, SUITE, LIMITS, measure_cost=True)
    assert summary(double) == summary(real)
    if not any(t.outcome == "timeout" for t in real.tests):  # a cut-short loop's count varies
        assert double.cost == real.cost
    if real.status is not Status.INVALID:  # a program that does not compile never runs
        assert double.layers == IN_PROCESS_LAYERS


def test_coverage_and_outputs_are_the_real_ones() -> None:
    source = PROGRAMS["costly"]
    suite = CaseSuite(SUITE.entry, SUITE.cases, keep_outputs=True)
    real = evaluate_in_a_process(source, suite, LIMITS, measure_coverage=True)
    double = InProcessSandbox().evaluate(source, suite, LIMITS, measure_coverage=True)
    assert double.coverage == real.coverage and double.coverage
    assert double.outputs == real.outputs


def test_a_loop_is_stopped_from_another_thread_too() -> None:
    box = InProcessSandbox()
    found: list[Evaluation] = []
    thread = threading.Thread(
        target=lambda: found.append(box.evaluate(PROGRAMS["loops-on-every-case"], SUITE, LIMITS))
    )
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive()
    [evaluation] = found
    assert evaluation.status is Status.TIMEOUT
    assert all(t.outcome == "timeout" for t in evaluation.tests)


def test_a_module_level_loop_hits_the_wall_limit() -> None:
    evaluation = InProcessSandbox().evaluate(
        "while True:\n    pass\n", SUITE, Limits(wall_s=0.3, cpu_s=1.0)
    )
    assert evaluation.status is Status.TIMEOUT
    assert "wall-clock limit" in evaluation.message
