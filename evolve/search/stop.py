"""Why a search stopped, and the switch a person uses to stop it.

Every stop check lives in `Search._stop_reason`; the switch only records that a stop was
asked for (Ctrl-C, or a STOP file in the run directory), so the search ends at a generation
boundary with everything recorded.
"""

from __future__ import annotations

import enum
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType


class StopReason(enum.StrEnum):
    SOLVED = "solved"
    BUDGET = "budget"
    EXHAUSTED = "exhausted"
    STAGNATED = "stagnated"
    STOPPED = "stopped"
    INTERRUPTED = "interrupted"
    ABORTED = "aborted"

    def describe(self) -> str:
        return {
            StopReason.SOLVED: "the champion passes every search test, and the holdout if any",
            StopReason.BUDGET: "the evaluation budget is spent",
            StopReason.EXHAUSTED: "generations in a row produced no new variant",
            StopReason.STAGNATED: "a speed-up saw no accepted change for many generations",
            StopReason.STOPPED: "a STOP file appeared in the run directory (evolve stop)",
            StopReason.INTERRUPTED: "stopped by the user (Ctrl-C) at a generation boundary",
            StopReason.ABORTED: "stopped at once by a second Ctrl-C, mid-generation",
        }[self]


class StopSwitch:
    """Records a request to stop; the search polls it once a generation.

    A STOP file is the route that works from anywhere (another shell, another user, a cron
    job): whoever can write to the run directory can stop the run, and it needs no pid.
    """

    def __init__(self, stop_file: Path | None = None) -> None:
        self.stop_file = stop_file
        self.interrupts = 0
        self.holding = False

    def requested(self) -> StopReason | None:
        if self.interrupts:
            return StopReason.INTERRUPTED
        if self.stop_file is not None and self.stop_file.exists():
            return StopReason.STOPPED
        return None

    @contextmanager
    def catching_sigint(self) -> Iterator[None]:
        """The first Ctrl-C asks for a stop at the next generation boundary; the second raises
        KeyboardInterrupt at once. Outside the main thread signals cannot be caught, and
        Python's default (KeyboardInterrupt on the first Ctrl-C) stays in force."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = signal.signal(signal.SIGINT, self._on_sigint)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    def hold(self) -> None:
        """From now on a Ctrl-C is noted and ignored: the search is over and what is left is
        writing its record, which takes a moment and must not be cut short."""
        self.holding = True

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        self.interrupts += 1
        if self.holding:
            print("evolve: the search has stopped; writing its record", file=sys.stderr, flush=True)
            return
        if self.interrupts > 1:
            raise KeyboardInterrupt
        print(
            "evolve: stopping at the end of this generation; press Ctrl-C again to stop at once",
            file=sys.stderr,
            flush=True,
        )
