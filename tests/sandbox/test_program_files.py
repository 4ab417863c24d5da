"""Programs of several files (a package) in both sandbox modes, and the checks on their names."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import Case, CaseSuite, ForkServer, Limits, PytestSuite, Sandbox, Status, evaluate
from sandbox.modes import ProcessSandbox
from sandbox.program_files import check_name, line_offsets

LIMITS = Limits(wall_s=5.0, cpu_s=2.0, memory_mb=256)

PACKAGE = {
    "shop/__init__.py": "from shop.orders import total\n",
    "shop/orders.py": (
        "from shop.tax import rate\n"
        "\n"
        "def total(prices):\n"
        "    s = 0\n"
        "    for p in prices:\n"
        "        s += p\n"
        "    return s * rate()\n"
    ),
    "shop/tax.py": "def rate():\n    return 2\n",
}
CASES = CaseSuite(
    entry="total",
    cases=(
        Case("pair", args=([1, 2],), expected=6),
        Case("empty", args=([],), expected=0),
        Case("three", args=([1, 1, 1],), expected=3),  # wants a rate of 1: fails
    ),
)
TESTS = """\
import shop
from shop.tax import rate


def test_total():
    assert shop.total([1]) == 2


def test_rate():
    assert rate() == 3
"""


@pytest.fixture(scope="module", params=["fork", "process"])
def box(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    sandbox: Sandbox = ForkServer(1) if request.param == "fork" else ProcessSandbox()
    yield sandbox
    sandbox.close()


def test_a_package_runs_case_tests(box: Sandbox) -> None:
    result = box.evaluate(PACKAGE, CASES, LIMITS, module_name="shop", measure_cost=True)
    assert result.status is Status.FAILED
    assert [t.passed for t in result.tests] == [True, True, False]
    # Lines of every file count: module bodies (1 + 2 + 1), then per call of `total`.
    assert result.cost is not None and result.cost > 4


def test_a_pytest_file_imports_the_package(box: Sandbox, tmp_path: Path) -> None:
    test_file = tmp_path / "test_shop.py"
    test_file.write_text(TESTS)
    result = box.evaluate(PACKAGE, PytestSuite(test_file), LIMITS, module_name="shop")
    outcomes = {t.name: t.outcome for t in result.tests}
    assert outcomes == {"test_shop.py::test_total": "passed", "test_shop.py::test_rate": "failed"}


def test_a_submodule_can_be_the_entry_module(box: Sandbox) -> None:
    suite = CaseSuite(entry="rate", cases=(Case("r", args=(), expected=2),))
    result = box.evaluate(PACKAGE, suite, LIMITS, module_name="shop.tax")
    assert result.status is Status.OK


def test_a_file_that_does_not_compile_is_invalid(box: Sandbox) -> None:
    broken = {**PACKAGE, "shop/tax.py": "def rate(:\n"}
    result = box.evaluate(broken, CASES, LIMITS, module_name="shop")
    assert result.status is Status.INVALID


def test_cost_is_the_same_in_both_modes() -> None:
    with ForkServer(1) as server:
        forked = server.evaluate(PACKAGE, CASES, LIMITS, module_name="shop", measure_cost=True)
    fresh = evaluate(PACKAGE, CASES, LIMITS, module_name="shop", measure_cost=True)
    assert forked.cost == fresh.cost


def test_coverage_numbers_lines_across_files() -> None:
    result = evaluate(PACKAGE, CASES, LIMITS, module_name="shop", measure_coverage=True)
    assert result.coverage is not None
    offsets = dict(line_offsets(PACKAGE))
    # The loop body `s += p` is line 6 of shop/orders.py; `return 2` is line 2 of tax.py.
    loop, rate = offsets["shop/orders.py"] + 6, offsets["shop/tax.py"] + 2
    pair = dict(result.coverage[0])
    assert pair[loop] == 2 and pair[rate] == 1
    assert loop not in dict(result.coverage[1])  # the empty list never enters the loop


@pytest.mark.parametrize(
    "name",
    [
        "../escape.py",
        "/etc/evil.py",
        "shop/../../x.py",
        "shop//x.py",
        "./x.py",
        "shop\\x.py",
        "notes.txt",
        ".hidden.py",
        "my-module.py",
        "x.py\0",
    ],
)
def test_unsafe_or_unimportable_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError):
        check_name(name)
    with pytest.raises(ValueError):
        evaluate({name: "x = 1\n", "shop/__init__.py": ""}, CASES, LIMITS, module_name="shop")


def test_names_that_would_shadow_the_harness_are_refused() -> None:
    for name in ("json.py", "pytest.py", "os/__init__.py"):
        with pytest.raises(ValueError, match="shadow"):
            evaluate({**PACKAGE, name: ""}, CASES, LIMITS, module_name="shop")


def test_the_module_must_be_one_of_the_files() -> None:
    with pytest.raises(ValueError, match="not one of the program's files"):
        evaluate(PACKAGE, CASES, LIMITS, module_name="store")
