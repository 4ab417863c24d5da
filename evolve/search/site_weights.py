"""Where fresh edits go: localisation's weights, scaled by what can be done at each site.

A site weighs its localisation weight times the lifted weight of the weightiest operator that
offers an edit there (`OperatorBandit.lifted`): a site that only the fix templates edit
weighs less until the run stalls, as the templates do. Once the search has widened far
enough (`Widening.uniform_sites`), every site weighs alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from evolve.program.program import Program
from evolve.search.bandit import OperatorBandit
from evolve.search.localise import Localisation
from evolve.search.widening import Widening


class SiteWeights:
    def __init__(
        self,
        program: Program,
        localisation: Localisation,
        bandit: OperatorBandit,
        widening: Widening,
        base: Callable[[], Mapping[str, float] | None] | None = None,
    ) -> None:
        self.program = program
        self.localisation = localisation
        # Which of localisation's weights to scale: the draws' (`mutation_weights`) unless
        # told otherwise (the sweep's, `sweep_weights`).
        self.base = base or localisation.mutation_weights
        self.bandit = bandit
        self.widening = widening
        # (localisation's weights, the escalation, the scaled weights): rescaled only when
        # either changes, not for every edit drawn.
        self._cache: tuple[Mapping[str, float], float, Mapping[str, float]] | None = None

    def __call__(self) -> Mapping[str, float] | None:
        """The weights to draw a site by; None: every site alike."""
        if self.widening.uniform_sites:
            return None
        weights = self.base()
        if weights is None:
            return None
        bandit = self.bandit
        cache = self._cache
        if cache is None or cache[0] is not weights or cache[1] != bandit.escalation:
            scaled = {
                address: weight * max(bandit.lifted(name) for name in self._operators(address))
                for address, weight in weights.items()
            }
            cache = self._cache = (weights, bandit.escalation, scaled)
        return cache[2]

    def _operators(self, address: str) -> list[str]:
        try:
            return [name for name, _ in self.program.operators_at(address)]
        except KeyError:
            return [""]  # not a site: weighs as it did
