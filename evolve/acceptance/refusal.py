"""When the acceptor refuses every plausible repair collected for one choice.

Ranking (`evolve.acceptance.plausible`) says which candidate is best, not that the best is
right. Where no holdout vouches for it, a pool whose best shows an anti-pattern of shape,
takes more than `MOST_EDITS` edits, or ranks level with another that answers otherwise on a
generated input (`Ranking.undecided`) has gamed the tests rather than passed them, or left
the choice to a coin toss; a wrong repair that looks solved is worse than none, so the whole
pool is refused and the search goes on while budget remains.

A refused level tie is remembered (`refused_level`): a later repair must rank above it, or it
is one more the tests cannot tell apart from those (the same guess found later with an edit
more, say). That standing is checkpointed with the acceptor's state, under the key it has
always had there, so a resumed run refuses exactly what an uninterrupted one would.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from evolve.acceptance.plausible import MOST_EDITS, Plausible, Ranking, shape_anti_patterns

# Why one candidate of a refused pool is refused: the text of its `plausible_refused` event.
RefusalReason = Callable[[Plausible], str]


@dataclass
class RefusalPolicy:
    """Decides, for each choice among plausible repairs, whether the pool is refused.

    It keeps one piece of state across choices, the best standing (`Ranking.standings`)
    among the repairs refused as a level tie; None while none was.
    """

    refused_level: tuple[int, ...] | None = None

    def refusal(self, ranking: Ranking) -> RefusalReason | None:
        """Why each candidate of `ranking` is refused, or None to accept its best. A holdout
        the best passed vouches for it: never refused, and nothing remembered. A refused
        level tie lowers the standing later repairs must beat."""
        best = ranking.chosen
        if best.candidate.holdout is not None:
            return None
        if shape_anti_patterns(best):
            # Shape anti-patterns rank first, so every candidate shows one: each is a known
            # shape of a wrong repair. Refused, as Tan et al. forbid such patches; the search
            # goes on for a clean one while budget remains.
            return lambda suspect: (
                f"passes every test but shows {', '.join(shape_anti_patterns(suspect))},"
                " as every plausible repair found does"
            )
        if best.edits_after > MOST_EDITS:
            # Edits rank right after anti-patterns of shape, so every clean candidate takes as
            # many: a sprawling patch that passes few tests is a way of gaming them.
            return lambda suspect: (
                f"passes every test but takes {suspect.edits_after} edits (more than"
                f" {MOST_EDITS}), as every plausible repair found does"
            )
        if ranking.undecided:
            # The best candidates rank level and answer differently: which one is right is a
            # coin toss the tests cannot settle, and a wrong repair that looks solved is worse
            # than none. Refused with the rest of the pool (which ranks lower), and so is any
            # later repair that does not rank above them; a person can decide with
            # `[review] ask`, or a test that tells them apart.
            level = ranking.standings[0]
            if self.refused_level is None or level < self.refused_level:
                self.refused_level = level
            tied = len(ranking.undecided) + 1
            return lambda _: (
                f"passes every test, but the {tied} best repairs found rank level and"
                " answer differently on generated inputs: the tests cannot decide"
            )
        if self.refused_level is not None and ranking.standings[0] >= self.refused_level:
            return lambda _: (
                "passes every test, but ranks no better than repairs refused before as"
                " ones the tests cannot decide between"
            )
        return None

    def state(self) -> dict[str, Any]:
        """Its entries of the acceptor's checkpoint (`Acceptor.state`), which holds them
        beside its own, as it always held `refused_level`: older checkpoints resume."""
        level = self.refused_level
        return {"refused_level": None if level is None else list(level)}

    def restore(self, state: Mapping[str, Any]) -> None:
        """Set back from the acceptor's checkpoint `state`; one of a version before level
        ties were refused has no entry, and none was refused."""
        level = state.get("refused_level")
        self.refused_level = None if level is None else tuple(int(n) for n in level)


__all__ = ["RefusalPolicy", "RefusalReason"]
