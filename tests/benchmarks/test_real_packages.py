"""A real package's own test suite with a planted defect, repaired end to end (slow; needs
PyPI: the package is downloaded at run time, nothing of it is kept in this repository)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

RUN = Path(__file__).resolve().parents[2] / "benchmarks" / "real" / "run.py"


def _load() -> object:
    spec = importlib.util.spec_from_file_location("evolve_real_benchmark", RUN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_inflection_is_repaired_with_its_whole_suite_passing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = _load()
    status = real.main(  # type: ignore[attr-defined]
        ["--only", "inflection", "--budget", "400", "--cache", str(tmp_path / "cache")]
    )
    out = capsys.readouterr().out
    assert status == 0, out
    assert "inflection 0.5.1" in out
