import json
from pathlib import Path

import pytest

from sandbox import Case, CaseSuite, Limits, PytestSuite
from sandbox.protocol import (
    PROTOCOL_VERSION,
    cpu_limit_s,
    encode_request,
    make_request,
    parse_result,
    pytest_sys_path,
)


def test_expected_outputs_never_enter_the_request() -> None:
    suite = CaseSuite("f", (Case("a", (1, "in"), {"k": [2]}, expected="SECRET-ANSWER"),))
    request = make_request(
        "def f(*a, **k): pass\n",
        suite,
        Limits(),
        module_name="variant",
        measure_cost=True,
        result_fd=7,
    )
    encoded = encode_request(request)
    assert b"SECRET-ANSWER" not in encoded
    assert b"expected" not in encoded
    assert b'"a"' not in encoded  # case names are not needed there either
    assert json.loads(encoded)["suite"]["cases"] == [{"args": [1, "in"], "kwargs": {"k": [2]}}]


def test_a_pytest_request_names_the_copied_file_and_where_pytest_lives(tmp_path: Path) -> None:
    request = make_request(
        "x = 1\n",
        PytestSuite(tmp_path / "test_thing.py"),
        Limits(),
        module_name="thing",
        measure_cost=False,
        result_fd=7,
    )
    assert request["suite"]["targets"] == ["test_thing.py"]
    assert request["suite"]["sources"] == ["test_thing.py"]  # compiled, then hidden
    assert request["suite"]["sys_path"] == list(pytest_sys_path())
    assert pytest_sys_path()  # found pytest


@pytest.mark.parametrize(("cpu_s", "whole"), [(0.1, 1), (1.0, 1), (1.2, 2), (3.0, 3)])
def test_the_cpu_limit_rounds_up_to_whole_seconds(cpu_s: float, whole: int) -> None:
    assert cpu_limit_s(Limits(cpu_s=cpu_s)) == whole


@pytest.mark.parametrize(
    "data",
    [b"", b"not json", b"[1, 2]", b'{"version": 999}', b'{"cases": []}', b'{"version": 1}{'],
)
def test_anything_but_a_report_is_no_report(data: bytes) -> None:
    assert parse_result(data) is None


def test_a_report_parses() -> None:
    assert parse_result(json.dumps({"version": PROTOCOL_VERSION}).encode()) == {"version": 1}
