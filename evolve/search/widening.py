"""Widening a search that spins: when children mostly repeat known sources, look further.

A population can settle where every child it breeds is a program the run has evaluated
already: the cache answers at no cost, but the generation learns nothing, and a run can
spend hundreds of generations there (one new variant each) while the best stays at a
partial fix. After `QUIET_GENERATIONS` such generations in a row the search widens, one
level at a time:

1. every child gets two mutations instead of one;
2. sites are drawn uniformly rather than where localisation points (the fix may be where it
   did not look), and a quarter of each new population restarts from the seed or an earlier
   accepted program, so a dead end the champion has reached is not the only place to look;
3. three mutations a child, and half the population restarts.

A generation of a healthy lexicase run repeats much of what the run has seen (copies of good
parents cost nothing): only a generation with almost nothing new counts as spinning, or the
search would give up the localisation that finds most fixes.

An accepted change is progress: the search narrows back to level 0. The level is part of the
checkpoint, so a resumed run widens exactly as an uninterrupted one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# A generation spins when fewer than this share of its population are new evaluations.
NEW_SHARE = 0.1
# Generations in a row that spin before the search widens one level.
QUIET_GENERATIONS = 5
MAX_LEVEL = 3
# Per level: mutations per child, share of the population restarted.
_STEPS = (1, 2, 2, 3)
_RESTARTS = (0.0, 0.0, 0.25, 0.5)


@dataclass
class Widening:
    enabled: bool = True
    level: int = 0
    quiet: int = 0  # generations in a row that spun at this level

    def observe(self, new_evaluations: int, population: int, accepted: bool) -> None:
        """Take one generation's outcome into account."""
        if not self.enabled:
            return
        if accepted:
            self.level, self.quiet = 0, 0
            return
        if new_evaluations >= NEW_SHARE * population:
            self.quiet = 0
            return
        self.quiet += 1
        if self.quiet >= QUIET_GENERATIONS and self.level < MAX_LEVEL:
            self.level += 1
            self.quiet = 0

    @property
    def steps(self) -> int:
        """Mutations per child."""
        return _STEPS[self.level]

    @property
    def uniform_sites(self) -> bool:
        return self.level >= 2

    def restarts(self, population: int) -> int:
        """How many of a new population restart from an earlier program."""
        return int(_RESTARTS[self.level] * population)

    def state(self) -> dict[str, Any]:
        return {"enabled": self.enabled, "level": self.level, "quiet": self.quiet}

    def restore(self, state: dict[str, Any]) -> None:
        self.enabled = bool(state["enabled"])
        self.level = int(state["level"])
        self.quiet = int(state["quiet"])
