"""The child side: `run_request` in this process, and harness.py as the script it really is."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox import harness, protocol

LIMITS = {
    "cpu_s": 2,
    "memory_bytes": 256 << 20,
    "file_size_bytes": 1 << 20,
    "open_files": 64,
}


def cases_request(
    source: str, cases: list[tuple[list[Any], dict[str, Any]]], **extra: Any
) -> dict[str, Any]:
    request: dict[str, Any] = {
        "version": harness.PROTOCOL_VERSION,
        "module_name": "harness_variant",
        "source": source,
        "measure_cost": False,
        "max_output_bytes": 1000,
        "limits": LIMITS,
        "suite": {
            "kind": "cases",
            "entry": "f",
            "cases": [{"args": args, "kwargs": kwargs} for args, kwargs in cases],
        },
    }
    request.update(extra)
    return request


@pytest.fixture
def in_workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """run_request imports the variant here; undo that for the next test."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    yield tmp_path
    sys.modules.pop("harness_variant", None)


def test_protocol_versions_agree() -> None:
    assert harness.PROTOCOL_VERSION == protocol.PROTOCOL_VERSION


def test_outputs_come_back_as_json_text(in_workdir: Path) -> None:
    source = "def f(a, b=0):\n    return (a, b, {1: None})\n"
    result = harness.run_request(cases_request(source, [([1], {}), ([2], {"b": 3})]))
    assert result["import_error"] is None
    assert result["cases"] == [
        {"output": '[1, 0, {"1": null}]'},
        {"output": '[2, 3, {"1": null}]'},
    ]
    assert (in_workdir / "harness_variant.py").read_text() == source


def test_errors_are_reported_per_case(in_workdir: Path) -> None:
    source = (
        "def f(kind):\n"
        "    if kind == 'raise':\n"
        "        raise ValueError('bad input')\n"
        "    if kind == 'exit':\n"
        "        raise SystemExit(4)\n"
        "    if kind == 'set':\n"
        "        return {1}\n"
        "    return 'x' * 2000\n"
    )
    cases: list[tuple[list[Any], dict[str, Any]]] = [
        (["raise"], {}),
        (["exit"], {}),
        (["set"], {}),
        (["big"], {}),
    ]
    result = harness.run_request(cases_request(source, cases))
    errors = [case["error"] for case in result["cases"]]
    assert errors[0] == {"type": "ValueError", "message": "bad input"}
    assert errors[1] == {"type": "SystemExit", "message": "4"}
    assert errors[2] == {"type": None, "message": "output is not JSON: set"}
    assert errors[3]["message"].startswith("output is too large")


def test_import_failure_is_reported(in_workdir: Path) -> None:
    result = harness.run_request(cases_request("1 / 0\n", [([], {})]))
    assert result["import_error"] == {"type": "ZeroDivisionError", "message": "division by zero"}
    assert result["cases"] == []


def test_missing_entry_is_an_import_failure(in_workdir: Path) -> None:
    result = harness.run_request(cases_request("g = 1\n", [([], {})]))
    assert result["import_error"]["type"] == "AttributeError"


def test_cost_counts_the_variant_lines_only(in_workdir: Path) -> None:
    source = (
        "import json\n"  # line events at import: 1 ...
        "def f(n):\n"  # ... and 1
        "    total = 0\n"  # per call: 1
        "    for i in range(n):\n"  # n + 1
        "        total += i\n"  # n
        "    json.dumps(total)\n"  # 1; json's own lines do not count
        "    return total\n"  # 1
    )
    before = sys.gettrace()
    result = harness.run_request(cases_request(source, [([3], {}), ([0], {})], measure_cost=True))
    assert result["cost"] == 2 + (1 + 4 + 3 + 1 + 1) + (1 + 1 + 0 + 1 + 1)
    assert sys.gettrace() is before


def test_a_variant_that_removes_the_tracer_fails(in_workdir: Path) -> None:
    source = "import sys\ndef f():\n    sys.settrace(None)\n    return 1\n"
    result = harness.run_request(cases_request(source, [([], {})], measure_cost=True))
    assert result["cases"] == [
        {"error": {"type": None, "message": "the trace function was removed"}}
    ]


def run_script(request: dict[str, Any], workdir: Path) -> tuple[int, dict[str, Any] | None]:
    """Run harness.py the way the supervisor does, minus the supervision."""
    read_fd, write_fd = os.pipe()
    request = {**request, "result_fd": write_fd}
    proc = subprocess.Popen(
        [sys.executable, "-s", "-P", "-B", "-S", harness.__file__],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        pass_fds=(write_fd,),
        cwd=workdir,
        env={"PATH": "/usr/bin:/bin"},
    )
    os.close(write_fd)
    assert proc.stdin is not None
    proc.stdin.write(json.dumps(request).encode())
    proc.stdin.close()
    with os.fdopen(read_fd, "rb") as result:
        data = result.read()
    return proc.wait(timeout=10), (json.loads(data) if data else None)


def test_the_script_limits_itself_before_the_variant_runs(tmp_path: Path) -> None:
    source = (
        "import resource, sys\n"
        "def f():\n"
        "    names = ['RLIMIT_CPU', 'RLIMIT_AS', 'RLIMIT_FSIZE', 'RLIMIT_NOFILE', 'RLIMIT_CORE']\n"
        "    limits = [resource.getrlimit(getattr(resource, n)) for n in names]\n"
        "    return limits, sys.stdin.read(), 'sandbox' in sys.modules\n"
    )
    code, result = run_script(cases_request(source, [([], {})]), tmp_path)
    assert code == 0 and result is not None
    limits, stdin, sandbox_loaded = json.loads(result["cases"][0]["output"])
    mb = 1 << 20
    assert limits == [[2, 3], [256 * mb, 256 * mb], [mb, mb], [64, 64], [0, 0]]
    assert stdin == ""  # stdin was pointed at /dev/null after the request was read
    assert not sandbox_loaded  # nothing of the supervisor's package is in the child


def test_the_script_fails_closed_when_limits_cannot_be_set(tmp_path: Path) -> None:
    request = cases_request("open('ran', 'w')\n", [([], {})])
    request["limits"] = {**LIMITS, "cpu_s": "lots"}
    code, result = run_script(request, tmp_path)
    assert code == 3
    assert result is not None and "harness_error" in result
    assert not (tmp_path / "ran").exists()
