"""How a setting is scored, and which tasks it is scored on.

A setting's score comes from `evolve bench`-style runs on the training tasks: solve rate
first, then the median evaluations to solve over the solved runs (fewer is better), as the
bench table ranks algorithms. With the holdout hidden, a run counts as solved only if its
champion also passes the holdout it never saw: a plausible but wrong patch is no solve.

The split is a seeded shuffle of the suite's task folders, so the same `--seed` always holds
out the same tasks, and the held-out tasks never take part in choosing a setting.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evolve.bench import Outcome


@dataclass(frozen=True)
class Score:
    runs: int
    solved: int
    median_evaluations: float | None  # over solved runs; None when none solved
    evaluations: int  # spent by every run, solved or not: what the tuning budget counts
    plausible_wrong: int = 0  # hidden holdout: passed every case, failed the holdout
    errors: int = 0

    @property
    def solve_rate(self) -> float:
        return self.solved / self.runs if self.runs else 0.0

    def rank(self) -> tuple[float, float]:
        """Bigger is better: the solve rate, then fewer evaluations to solve."""
        median = self.median_evaluations
        return (self.solve_rate, -median if median is not None else -math.inf)

    def to_json(self) -> dict[str, Any]:
        return {
            "runs": self.runs,
            "solved": self.solved,
            "solve_rate": round(self.solve_rate, 4),
            "median_evaluations": self.median_evaluations,
            "evaluations": self.evaluations,
            "plausible_wrong": self.plausible_wrong,
            "errors": self.errors,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Score:
        median = data.get("median_evaluations")
        return cls(
            runs=int(data["runs"]),
            solved=int(data["solved"]),
            median_evaluations=None if median is None else float(median),
            evaluations=int(data["evaluations"]),
            plausible_wrong=int(data.get("plausible_wrong", 0)),
            errors=int(data.get("errors", 0)),
        )

    def text(self) -> str:
        median = "-" if self.median_evaluations is None else f"{self.median_evaluations:g}"
        return f"{self.solved}/{self.runs} solved ({self.solve_rate:.0%}), median {median} evals"


def score(outcomes: Sequence[Outcome]) -> Score:
    solved = [o for o in outcomes if o.solved and not o.error]
    median = float(statistics.median(o.evaluations for o in solved)) if solved else None
    return Score(
        runs=len(outcomes),
        solved=len(solved),
        median_evaluations=median,
        evaluations=sum(o.evaluations for o in outcomes),
        plausible_wrong=sum(1 for o in outcomes if o.plausible_wrong),
        errors=sum(1 for o in outcomes if o.error),
    )


def split(tasks: Sequence[Path], seed: int, held_out: float) -> tuple[list[Path], list[Path]]:
    """(training, held-out) task folders: a shuffle seeded by `seed`, the first
    `held_out` share (at least one task, and at least one left to train on) held out, each
    part in the suite's order."""
    if len(tasks) < 2:
        raise ValueError("a split needs at least two tasks")
    order = list(tasks)
    random.Random(f"evolve-tune-split-{seed}").shuffle(order)
    count = min(len(order) - 1, max(1, round(len(order) * held_out)))
    chosen = set(order[:count])
    return [t for t in tasks if t not in chosen], [t for t in tasks if t in chosen]


def change(tuned: float | None, default: float | None) -> float | None:
    """The relative change of tuned over default (-0.25: a quarter fewer)."""
    if tuned is None or default is None or default == 0:
        return None
    return tuned / default - 1.0
