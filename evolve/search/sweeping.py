"""Sweeping the champion's neighbourhood: its likeliest single edits, each tried once.

The genetic search draws every fresh edit at random. A fix that is one edit from the seed is
then found by luck: at `repair/luhn`'s most suspicious statement (`digit -= 10`) the fix
`10 -> 9` is one of four constants of one of three operators, about one fresh draw in 550
(`seed 4`), and once a population has settled on a lineage that games the tests (`total %
1 == 0` answers True for every number), fresh draws are few and land in that lineage, where
the fix no longer shows. Seed 4 spent 2,000 evaluations without evaluating it once.

So with each generation the search also evaluates a few single edits of the champion, in the
order the search itself would most likely draw them (a site's weight, times its operator's
share among the operators that apply there, over the operator's number of payloads: the
chance `Program.random_edit` gives it), skipping what the run has evaluated already. Each is
tried once, so after n of them the n likeliest single edits are known, whatever the luck of
the draws. This is the systematic pass of template-based repair (TBar and PraPR try every
fix pattern at each suspicious location in turn), made to follow the GA's adapted weights.

A swept edit is an ordinary member of its generation: evaluated, offered to the acceptor,
kept by `combining` if it is a partial fix (so two single fixes of a two-defect program are
joined) and bred from if selection picks it. The sweep spends at most `SHARE` of the budget.
A new champion starts a new neighbourhood. Repairs only, and not for random search, the
baseline. The tried edits are checkpointed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from evolve.program.patch import Edit, Patch, patch_from_json, patch_to_json
from evolve.program.program import Program

# Single edits evaluated with each generation.
PER_GENERATION = 3
# The most of the budget the sweep spends.
SHARE = 0.25
# Candidates looked at in one generation before giving up on finding new ones (each check
# renders a variant).
MAX_LOOKS = 30

# Whether the run has evaluated the source a patch renders to (the search's cache).
Seen = Callable[[Patch], bool]


def likeliest(
    program: Program,
    site_weights: Mapping[str, float] | None,
    operator_weights: Mapping[str, float] | None,
) -> list[Edit]:
    """Every single edit of `program`, likeliest first under the weights `random_edit` draws
    by; ties keep the program's order of sites, operators and payloads."""
    sites = program.sites
    if site_weights is None:
        site_share = {site.address: 1.0 for site in sites}
    else:
        site_share = {s.address: max(0.0, float(site_weights.get(s.address, 0.0))) for s in sites}
    scored: list[tuple[float, int, Edit]] = []
    for site in sites:
        weight = site_share[site.address]
        if weight <= 0.0:
            continue
        offered = program.operators_at(site.address)
        shares = [1.0] * len(offered)
        if operator_weights is not None:
            weighed = [max(0.0, float(operator_weights.get(name, 0.0))) for name, _ in offered]
            if sum(weighed) > 0.0:
                shares = weighed
        total = sum(shares)
        for (name, payloads), share in zip(offered, shares, strict=True):
            if share <= 0.0 or not payloads:
                continue
            chance = weight * share / total / len(payloads)
            for payload in dict.fromkeys(payloads):
                scored.append((-chance, len(scored), Edit(name, site.address, payload)))
    scored.sort(key=lambda item: item[:2])
    return [edit for _, _, edit in scored]


@dataclass
class Sweep:
    enabled: bool = True
    budget: int = 0
    spent: int = 0  # single edits handed out over the run
    base: Patch = ()  # the champion whose neighbourhood is being swept
    tried: set[Edit] = field(default_factory=set)
    # The order the edits were tried in, for the checkpoint (a set has none worth keeping).
    order: list[Edit] = field(default_factory=list)

    def next(
        self,
        program: Program,
        champion: Patch,
        site_weights: Mapping[str, float] | None,
        operator_weights: Mapping[str, float] | None,
        seen: Seen,
        limit: int = PER_GENERATION,
    ) -> list[Patch]:
        """Up to `limit` patches, each the champion and one edit it has not been swept with,
        likeliest first; none once the sweep has spent its share of the budget."""
        if not self.enabled:
            return []
        limit = min(limit, int(SHARE * self.budget) - self.spent)
        if limit <= 0:
            return []
        if champion != self.base:
            self.base, self.tried, self.order = champion, set(), []
        chosen: list[Patch] = []
        looks = 0
        for edit in likeliest(program, site_weights, operator_weights):
            if len(chosen) == limit or looks == MAX_LOOKS:
                break
            if edit in self.tried or edit in champion:
                continue
            self.tried.add(edit)
            self.order.append(edit)
            looks += 1
            patch = (*champion, edit)
            if not seen(patch):
                chosen.append(patch)
        self.spent += len(chosen)
        return chosen

    def state(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "budget": self.budget,
            "spent": self.spent,
            "base": patch_to_json(self.base),
            "tried": patch_to_json(tuple(self.order)),
        }

    def restore(self, state: dict[str, Any]) -> None:
        self.enabled = bool(state["enabled"])
        self.budget = int(state["budget"])
        self.spent = int(state["spent"])
        self.base = patch_from_json(state["base"])
        self.order = list(patch_from_json(state["tried"]))
        self.tried = set(self.order)
