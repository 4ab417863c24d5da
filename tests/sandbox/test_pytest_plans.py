"""A pytest suite run by a plan, per-test coverage and calls, and the report's checks."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import Limits, PytestSuite, Sandbox, Status, TestPlan, make_sandbox, pytest_run

LIMITS = Limits(wall_s=10.0, cpu_s=5.0, memory_mb=256)
CALC = "def add(a, b):\n    return a + b\n\n\ndef neg(x):\n    return -x\n"
TESTS = """\
import calc


def test_add():
    assert calc.add(1, 2) == 3


def test_neg():
    assert calc.neg(2) == -2


def test_both():
    assert calc.neg(calc.add(1, 1)) == -2


def test_none():
    assert True
"""
IDS = tuple(f"test_calc.py::test_{name}" for name in ("add", "neg", "both", "none"))


@pytest.fixture(scope="module", params=["process", "fork"])
def box(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    sandbox = make_sandbox(request.param, workers=1)
    yield sandbox
    sandbox.close()


@pytest.fixture
def suite(tmp_path: Path) -> PytestSuite:
    (tmp_path / "test_calc.py").write_text(TESTS)
    return PytestSuite(tmp_path / "test_calc.py")


def test_each_test_reports_the_lines_it_ran_and_the_calls(box: Sandbox, suite: PytestSuite) -> None:
    result = box.evaluate(
        CALC, suite, LIMITS, module_name="calc", measure_coverage=True, record_calls=True
    )
    assert result.status is Status.OK
    assert [t.name for t in result.tests] == list(IDS)
    assert result.coverage is not None
    lines = [sorted(line for line, _ in test) for test in result.coverage]
    assert lines == [[2], [6], [2, 6], []]
    calls = dict(zip(IDS, result.calls, strict=True))
    assert calls[IDS[0]] == {"add": [[[1, 2], {}]]}
    assert calls[IDS[2]] == {"add": [[[1, 1], {}]], "neg": [[[2], {}]]}


def test_a_plan_orders_skips_and_stops(box: Sandbox, suite: PytestSuite) -> None:
    wrong = CALC.replace("return -x", "return x")
    plan = TestPlan(
        first=(IDS[1], IDS[0]),
        assumed=((IDS[3], "passed"),),
        critical=frozenset({IDS[1], IDS[0], IDS[2]}),
    )
    planned = PytestSuite(suite.test_file, tests=IDS, plan=plan)
    result = box.evaluate(wrong, planned, LIMITS, module_name="calc")
    outcomes = {t.name: (t.outcome, t.detail) for t in result.tests}
    assert outcomes[IDS[1]][0] == "failed"  # ran first, and stopped the rest
    assert outcomes[IDS[0]] == (
        "error",
        "not run: stopped after a test the champion passes did not pass",
    )
    assert outcomes[IDS[2]][0] == "error"
    assert outcomes[IDS[3]][0] == "passed" and outcomes[IDS[3]][1].startswith("not run")
    assert result.status is Status.FAILED


def test_a_known_test_left_out_of_the_report_is_not_run(box: Sandbox, suite: PytestSuite) -> None:
    planned = PytestSuite(suite.test_file, args=("-k", "not none"), tests=IDS)
    result = box.evaluate(CALC, planned, LIMITS, module_name="calc")
    outcomes = {t.name: t.outcome for t in result.tests}
    assert outcomes == {IDS[0]: "passed", IDS[1]: "passed", IDS[2]: "passed", IDS[3]: "error"}
    assert result.status is Status.FAILED


def test_a_report_naming_an_unknown_test_is_malformed(box: Sandbox, suite: PytestSuite) -> None:
    planned = PytestSuite(suite.test_file, tests=IDS[:2])
    result = box.evaluate(CALC, planned, LIMITS, module_name="calc")
    assert result.status is Status.CRASH and "malformed" in result.message


def test_the_variant_finds_no_test_source(box: Sandbox, suite: PytestSuite) -> None:
    spy = CALC + "\nimport pathlib\nTEXT = pathlib.Path('test_calc.py').read_text()\n"
    spy += "\n\ndef leak():\n    return TEXT\n"
    tests = TESTS + "\n\ndef test_leak():\n    assert 'assert' not in calc.leak()\n"
    suite.test_file.write_text(tests)  # type: ignore[union-attr]
    result = box.evaluate(spy, suite, LIMITS, module_name="calc")
    assert result.status is Status.OK, result.message


def test_the_worker_never_keeps_a_module_named_like_the_program() -> None:
    """A third-party module the tests import may import an installed copy of the program:
    the worker drops it, so the child imports the variant's own."""
    sys.modules["calc_shadow_probe"] = type(sys)("calc_shadow_probe")
    pytest_run.preimport({"test_x.py": b"import json\n"}, {"calc_shadow_probe"})
    assert "calc_shadow_probe" not in sys.modules
