"""What a generation reports to the person watching: the figures and who receives them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from evolve.store.database import AcceptedChange


@dataclass(frozen=True)
class GenerationStats:
    generation: int
    evaluations: int
    budget: int
    cache_hits: int
    elapsed_s: float
    best: str
    accepted: int
    statuses: dict[str, int] = field(default_factory=dict)  # search evaluations so far
    holdout_rejections: int = 0


class Reporter(Protocol):
    def generation(self, stats: GenerationStats) -> None: ...

    def accepted(self, change: AcceptedChange) -> None: ...
