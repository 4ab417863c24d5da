"""Adaptive operator selection: probability matching over the mutation operators.

Twenty-odd operators drawn alike spend most of a budget on edits that cannot help this
program (swapping arguments of a function with one parameter, say). The bandit keeps, per
operator, a running estimate of the reward its fresh edits earned in this run, and mutation
draws operators in proportion to it. Every operator keeps a minimum probability, so one that
failed early can still come back when the search reaches code where it pays.

A child earns its new edits' operators a reward: 1 if it beats its parent (more tests pass,
or as many and a lower cost), a little if it is as good (a neutral step that kept the program
working), nothing if it is worse (it broke something, or did not even run).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

IMPROVED, NEUTRAL, WORSE = 1.0, 0.1, 0.0
# Generations without an accepted change after which the fix templates weigh in full.
ESCALATION_GENERATIONS = 40
# How far one reward moves an operator's quality, and each operator's least share of the
# draws (`SearchSettings.bandit_learning_rate`, `bandit_p_min`).
LEARNING_RATE = 0.2
P_MIN = 0.02


def escalation(stalled: int) -> float:
    """How far a run has stalled, 0 to 1: generations since the last accepted change (or
    the start) over `ESCALATION_GENERATIONS`. The fix templates start at their
    `Operator.weight` and reach full weight by then: one-token mutations fix most defects,
    and a run they cannot move on needs the templates more."""
    return min(1.0, stalled / ESCALATION_GENERATIONS)


class OperatorBandit:
    """Probability matching (Thierens 2005) with a floor `p_min` per operator."""

    def __init__(
        self,
        operators: Iterable[str],
        *,
        learning_rate: float = LEARNING_RATE,
        p_min: float = P_MIN,
        initial: float = 0.5,
        enabled: bool = True,
        priors: Mapping[str, float] | None = None,
    ) -> None:
        self.operators = tuple(operators)
        # Fixed factors on the drawn weights (`Operator.weight`): not learnt, not checkpointed.
        self.priors = {name: 1.0 for name in self.operators} | dict(priors or {})
        # From 0 to 1 as a run stalls: lifts every prior towards 1 (`lifted`). The engine sets
        # it each generation from the generations since the last accepted change, so a
        # resumed run sets it again and a checkpoint need not hold it.
        self.escalation = 0.0
        self.learning_rate = learning_rate
        self.p_min = p_min
        self.enabled = enabled
        self.quality = dict.fromkeys(self.operators, initial)
        self.uses = dict.fromkeys(self.operators, 0)
        self.rewards = dict.fromkeys(self.operators, 0.0)

    def weights(self) -> dict[str, float] | None:
        """Draw weights for `Program.random_edit`; None when disabled (draw uniformly).

        Each operator counts as much as its lifted prior, in the floor and in the quality
        share alike: ten fix templates at a twentieth of the weight take a half of one
        operator's part, and leave the others' weights, and how far the learnt quality moves
        them, as they were without the templates."""
        if not self.enabled or not self.operators:
            return None
        lifts = {name: self.lifted(name) for name in self.operators}
        count = sum(lifts.values())
        if count <= 0:
            return dict.fromkeys(self.operators, 0.0)
        floor = min(self.p_min, 1.0 / count)
        spread = 1.0 - floor * count
        total = sum(self.quality[name] * lifts[name] for name in self.operators)
        if total <= 0:
            return {name: lifts[name] / count for name in self.operators}
        return {
            name: (floor + spread * self.quality[name] / total) * lifts[name]
            for name in self.operators
        }

    def lifted(self, name: str) -> float:
        """`name`'s prior, lifted towards 1 by the escalation."""
        prior = self.priors.get(name, 1.0)
        return prior + (1.0 - prior) * self.escalation

    def update(self, operators: Sequence[str], reward: float) -> None:
        """Credit each operator that made the child's fresh edits."""
        for name in operators:
            if name not in self.quality:
                continue
            self.uses[name] += 1
            self.rewards[name] += reward
            self.quality[name] += self.learning_rate * (reward - self.quality[name])

    def state(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "quality": dict(self.quality),
            "uses": dict(self.uses),
            "rewards": dict(self.rewards),
        }

    def restore(self, state: dict[str, Any]) -> None:
        self.enabled = bool(state["enabled"])
        for name in self.operators:
            self.quality[name] = float(state["quality"].get(name, self.quality[name]))
            self.uses[name] = int(state["uses"].get(name, 0))
            self.rewards[name] = float(state["rewards"].get(name, 0.0))


def reward(parent: Sequence[float], child: Sequence[float]) -> float:
    """Compare (tests passed, cost, ...) scores: more passed wins, then lower cost."""
    if child[0] != parent[0]:
        return IMPROVED if child[0] > parent[0] else WORSE
    if child[1] != parent[1]:
        return IMPROVED if child[1] < parent[1] else WORSE
    return NEUTRAL
