"""Live progress off a terminal: one plain line with rate, best, accepted, cache and statuses."""

from __future__ import annotations

import io

from evolve.progress import ProgressReporter
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
    assert "cache hits 10 (25%)" in line
    assert "denied 4 failed 25 ok 1" in line
