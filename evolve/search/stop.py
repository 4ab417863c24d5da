"""Why a search stopped. Every stop check lives in `Search._stop_reason`."""

from __future__ import annotations

import enum


class StopReason(enum.StrEnum):
    SOLVED = "solved"
    BUDGET = "budget"
    EXHAUSTED = "exhausted"
    STAGNATED = "stagnated"
    INTERRUPTED = "interrupted"

    def describe(self) -> str:
        return {
            StopReason.SOLVED: "the champion passes every search and holdout test",
            StopReason.BUDGET: "the evaluation budget is spent",
            StopReason.EXHAUSTED: "generations in a row produced no new variant",
            StopReason.STAGNATED: "a speed-up saw no accepted change for many generations",
            StopReason.INTERRUPTED: "stopped by the user",
        }[self]
