"""`evaluate` with a pytest file as the suite (slower: each run imports pytest)."""

from pathlib import Path

import pytest

from sandbox import Limits, PytestSuite, Status, evaluate

LIMITS = Limits(wall_s=5.0, cpu_s=2.0, memory_mb=256)

TESTS = """\
import os

import calc


def test_adds():
    assert calc.add(1, 2) == 3


def test_adds_again():
    assert calc.add(2, 2) == 4


def test_plugins_are_not_autoloaded():
    assert os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] == "1"
"""


# What a program that gets `add(2, 2)` wrong (or hangs on it) scores, test by test.
SECOND_TEST_FAILS = {
    "test_calc.py::test_adds": "passed",
    "test_calc.py::test_adds_again": "failed",
    "test_calc.py::test_plugins_are_not_autoloaded": "passed",
}


@pytest.fixture
def suite(tmp_path: Path) -> PytestSuite:
    test_file = tmp_path / "test_calc.py"
    test_file.write_text(TESTS)
    return PytestSuite(test_file)


def test_per_test_outcomes(suite: PytestSuite) -> None:
    source = "def add(a, b):\n    return 3\n"
    result = evaluate(source, suite, LIMITS, module_name="calc", measure_cost=True)
    assert result.status is Status.FAILED
    assert {t.name: t.outcome for t in result.tests} == SECOND_TEST_FAILS
    assert "assert 3 == 4" in result.tests[1].detail
    assert result.cost == 1 + 2  # the def, then one line for each of the two calls


def test_a_correct_program_passes(suite: PytestSuite) -> None:
    result = evaluate("def add(a, b):\n    return a + b\n", suite, LIMITS, module_name="calc")
    assert result.status is Status.OK
    assert result.passed == result.total == 3


def test_an_import_error_is_a_crash(suite: PytestSuite) -> None:
    result = evaluate("import no_such_module\n", suite, LIMITS, module_name="calc")
    assert result.status is Status.CRASH
    assert result.message.startswith("ModuleNotFoundError")
    assert result.tests == ()


def test_a_test_that_hangs_fails_alone_under_case_s(suite: PytestSuite) -> None:
    # `add(2, 2)` loops forever; the other tests return at once.
    source = "def add(a, b):\n    while a == b:\n        pass\n    return a + b\n"
    limits = Limits(wall_s=5.0, cpu_s=2.0, memory_mb=256, case_s=0.2)
    result = evaluate(source, suite, limits, module_name="calc", measure_cost=True)
    assert result.status is Status.FAILED
    assert {t.name: t.outcome for t in result.tests} == SECOND_TEST_FAILS
    assert "test time limit of 0.2 s reached" in result.tests[1].detail
    assert result.cost is not None  # the line counter was put back after the stopped test
    # Without case_s the hanging test holds the whole run until the wall limit.
    whole = evaluate(
        source, suite, Limits(wall_s=1.0, cpu_s=2.0, memory_mb=256), module_name="calc"
    )
    assert whole.status is Status.TIMEOUT
