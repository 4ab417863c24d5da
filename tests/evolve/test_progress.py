"""Live progress off a terminal: one plain line with rate, best, accepted, cache and statuses."""

from __future__ import annotations

import io

import pytest

from evolve.progress import ProgressReporter, status_line
from evolve.search.stats import GenerationStats


def test_plain_progress_line() -> None:
    stream = io.StringIO()
    stats = GenerationStats(
        generation=1,
        evaluations=30,
        budget=100,
        cache_hits=10,
        elapsed_s=2.0,
        best="3/4",
        accepted=1,
        statuses={"failed": 25, "ok": 1, "denied": 4},
    )
    with ProgressReporter(stream) as reporter:
        reporter.generation(stats)
    line = stream.getvalue()
    assert "30/100 evals" in line and "15.0 evals/s" in line
    assert "best 3/4" in line and "accepted 1" in line
    assert "cache hits 10 (25% of look-ups)" in line
    assert "denied 4 failed 25 ok 1" in line


def _busy_generation() -> GenerationStats:
    return GenerationStats(
        generation=1234,
        evaluations=123456,
        budget=1000000,
        cache_hits=98765,
        elapsed_s=3725.0,
        best="1234/1250 tests, 0 hangs",
        accepted=17,
        statuses={"failed": 60000, "ok": 50000, "denied": 9000, "hang": 4000, "crash": 456},
    )


def test_off_a_terminal_each_generation_is_one_complete_line() -> None:
    """Not hard-wrapped at 80 columns: a log read with grep has every field on its line."""
    stream = io.StringIO()
    with ProgressReporter(stream, width=80) as reporter:
        reporter.generation(_busy_generation())
        reporter.generation(_busy_generation())
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 and len(lines[0]) > 80
    assert lines[0].startswith("gen 1234") and lines[0].endswith("ok 50000")


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_on_a_terminal_the_status_line_fits_whole_fields(width: int) -> None:
    line = status_line(_busy_generation(), width - 1)
    assert len(line) <= width - 1
    assert line.startswith("gen 1234  123456/1000000 evals") and "…" not in line
    full = status_line(_busy_generation(), 1000)
    assert all(field in full.split("  ") for field in line.split("  "))  # none cut
    if width >= 80:
        assert "best 1234/1250 tests, 0 hangs" in line and "accepted 17" in line
