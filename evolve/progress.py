"""Live progress of a run on stderr.

On a terminal: one status line, redrawn in place each generation and cut to the terminal's
width by dropping its least useful fields first (never mid-word: an 80-column terminal shows
the generation, evaluations, rate, best fitness, accepted changes and time). Elsewhere (CI
logs, pipes, files): one complete line per generation, never wrapped, so the log can be read
with `grep` and `tail`. Accepted changes get a line of their own either way.
"""

from __future__ import annotations

import os
import shutil
import sys
from typing import TextIO

from evolve.search.stats import GenerationStats
from evolve.store.database import AcceptedChange

_CLEAR = "\r\x1b[K"  # back to the start of the line, then erase it
_GREEN, _RESET = "\x1b[32m", "\x1b[0m"


class ProgressReporter:
    def __init__(
        self, stream: TextIO | None = None, *, quiet: bool = False, width: int | None = None
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        self.live = not quiet and _is_terminal(self.stream)
        self._width = width
        self._status = ""  # the status line on screen, when live

    def __enter__(self) -> ProgressReporter:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._status:
            self._write("\n")  # keep the last status line on screen
            self._status = ""

    def generation(self, stats: GenerationStats) -> None:
        if self.quiet:
            return
        if self.live:
            self._status = status_line(stats, self.width - 1)
            self._write(_CLEAR + self._status)
        else:
            self._write(plain_line(stats) + "\n")

    def accepted(self, change: AcceptedChange) -> None:
        if self.quiet:
            return
        operators = ", ".join(change.operators) or "edits dropped"
        text = (
            f"accepted #{change.number} gen {change.generation} after {change.evaluations}"
            f" evals: {change.fitness_before} -> {change.fitness_after} ({operators})"
        )
        if self.live:
            # Above the status line, which is drawn again under it.
            self._write(f"{_CLEAR}{_GREEN}{text}{_RESET}\n{self._status}")
        else:
            self._write(text + "\n")

    @property
    def width(self) -> int:
        if self._width is not None:
            return self._width
        return shutil.get_terminal_size(fallback=(80, 24)).columns

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


def _figures(stats: GenerationStats) -> tuple[float, float, str]:
    rate = stats.evaluations / stats.elapsed_s if stats.elapsed_s > 0 else 0.0
    looked_up = stats.evaluations + stats.cache_hits
    hit_rate = stats.cache_hits / looked_up if looked_up else 0.0
    statuses = " ".join(f"{name} {count}" for name, count in sorted(stats.statuses.items()))
    return rate, hit_rate, statuses


def plain_line(stats: GenerationStats) -> str:
    """One complete line a generation, for logs."""
    rate, hit_rate, statuses = _figures(stats)
    return (
        f"gen {stats.generation:>4}  {stats.evaluations}/{stats.budget} evals"
        f"  {rate:.1f} evals/s  best {stats.best}  accepted {stats.accepted}"
        f"  cache hits {stats.cache_hits} ({hit_rate:.0%} of look-ups)  {statuses}"
    ).rstrip()


def status_line(stats: GenerationStats, width: int) -> str:
    """The terminal's status line, at most `width` characters: fields in order of use, the
    least useful dropped first until the rest fit."""
    rate, hit_rate, statuses = _figures(stats)
    minutes, seconds = divmod(int(stats.elapsed_s), 60)
    # (priority, text): lower priority numbers are kept longer.
    fields = [
        (0, f"gen {stats.generation}"),
        (0, f"{stats.evaluations}/{stats.budget} evals"),
        (2, f"{rate:.0f}/s"),
        (0, f"best {stats.best}"),
        (1, f"accepted {stats.accepted}"),
        (4, f"cache {hit_rate:.0%}"),
        (3, f"{minutes}:{seconds:02d}"),
        (5, statuses),
    ]
    fields = [field for field in fields if field[1]]
    while True:
        line = "  ".join(text for _, text in fields)
        if len(line) <= width or len(fields) == 1:
            return line[:width]
        worst = max(range(len(fields)), key=lambda i: (fields[i][0], i))
        del fields[worst]
