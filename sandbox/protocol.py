"""What the supervisor sends to the harness, and how it reads the answer.

The request carries inputs only; expected outputs stay in the supervisor. Both directions are
JSON, never pickle: unpickling a document the variant could have forged would run its code in
the supervisor.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import math
import os
import secrets
from typing import Any

from sandbox.evaluation import Case, CaseSuite, Limits, PytestSuite, Suite
from sandbox.program_files import ProgramSource, line_offsets
from sandbox.suite_files import python_sources

PROTOCOL_VERSION = 1  # the harness carries the same number; a test keeps them in step

_MB = 1 << 20


def cpu_limit_s(limits: Limits) -> int:
    """RLIMIT_CPU counts whole seconds: the limit is `cpu_s` rounded up."""
    return max(1, math.ceil(limits.cpu_s))


def make_request(
    source: ProgramSource,
    suite: Suite,
    limits: Limits,
    *,
    module_name: str,
    measure_cost: bool,
    result_fd: int,
    measure_coverage: bool = False,
    record_calls: bool = False,
    token: str = "",
) -> dict[str, Any]:
    """The request document for one evaluation (JSON-able; raises if a case input is not).

    A program of several files travels beside the request (the supervisor writes them into
    the working directory); the request names them, in order, with their line offsets.
    """
    request: dict[str, Any] = {
        "version": PROTOCOL_VERSION,
        # A secret of this evaluation's: the harness sends it back, a forged report lacks it.
        "token": token,
        "result_fd": result_fd,
        "module_name": module_name,
        "source": source if isinstance(source, str) else None,
        "program_files": line_offsets(source) if not isinstance(source, str) else None,
        "measure_cost": measure_cost,
        # Per case (or test), which lines of the variant ran and how often.
        "measure_coverage": measure_coverage,
        "max_output_bytes": limits.output_bytes,
        "case_timeout_s": limits.case_timeout_s,
        # A pytest suite's tests run under a time limit each only when the task sets one:
        # by default one hanging test ends the run at the wall limit, which the search
        # reads as a whole program that hangs (see `pytest_run.time_limit_plugin`).
        "test_timeout_s": limits.case_s or 0.0,
        "limits": {
            "cpu_s": cpu_limit_s(limits),
            "memory_bytes": limits.memory_mb * _MB,
            "file_size_bytes": limits.file_size_mb * _MB,
            "open_files": limits.open_files,
        },
    }
    if isinstance(suite, CaseSuite):
        request["suite"] = {
            "kind": "cases",
            "entry": suite.entry,
            "cases": [_case(c) for c in suite.cases],
            "plan": suite.plan.to_json() if suite.plan is not None else None,
        }
    else:
        request["suite"] = pytest_request(suite)
        request["record_calls"] = record_calls
    return request


def _case(case: Case) -> dict[str, Any]:
    found: dict[str, Any] = {"args": list(case.args), "kwargs": dict(case.kwargs)}
    if case.entry is not None:
        found["entry"] = case.entry
    return found


def pytest_request(suite: PytestSuite) -> dict[str, Any]:
    """The suite's part of a request. Its files are copied into the working directory under
    their own relative names, so test ids read as they do in the project."""
    return {
        "kind": "pytest",
        "targets": list(suite.targets),
        "args": list(suite.args),
        "config": suite.config,
        "sources": python_sources(suite.files),
        "plan": suite.plan.to_json() if suite.plan is not None else None,
        "sys_path": list(pytest_sys_path()),
    }


def new_token() -> str:
    """A per-evaluation secret: the harness must send it back with its report."""
    return secrets.token_hex(16)


def encode_request(request: dict[str, Any]) -> bytes:
    # allow_nan: a NaN input is a legitimate test; Python's JSON reads it back.
    return json.dumps(request, allow_nan=True).encode("ascii")


@functools.cache
def pytest_sys_path() -> tuple[str, ...]:
    """Where pytest and its dependencies live, so the child imports the supervisor's pytest."""
    entries: list[str] = []
    for name in ("pytest", "_pytest", "pluggy", "iniconfig", "packaging"):
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        entry = os.path.dirname(os.path.dirname(os.path.abspath(spec.origin)))
        if entry not in entries:
            entries.append(entry)
    return tuple(entries)


def parse_result(data: bytes) -> dict[str, Any] | None:
    """The harness's report, or None when there is none or it is not one (a forged or torn
    document is treated like a missing one)."""
    if not data:
        return None
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        return None
    if not isinstance(document, dict) or document.get("version") != PROTOCOL_VERSION:
        return None
    return document
