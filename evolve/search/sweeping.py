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

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from evolve.program.patch import Edit, Patch, Payload, patch_from_json, patch_to_json
from evolve.program.program import Program, operator_shares

# Single edits evaluated with each generation.
PER_GENERATION = 3
# The most of the budget the sweep spends.
SHARE = 0.25
# Candidates looked at in one generation before giving up on finding new ones (each check
# renders a variant).
MAX_LOOKS = 30

# Whether the run has evaluated the source a patch renders to (the search's cache).
Seen = Callable[[Patch], bool]


def ranked_groups(
    program: Program,
    site_weights: Mapping[str, float] | None,
    operator_weights: Mapping[str, float] | None,
) -> list[tuple[str, str, tuple[Payload, ...]]]:
    """(operator, site, its distinct payloads) for every operator at every site, likeliest
    first under the weights `random_edit` draws by: an operator's payloads at a site share
    one chance, its share at the site over their number. Ties keep the program's order."""
    groups: list[tuple[float, int, str, str, tuple[Payload, ...]]] = []
    for site in program.sites:
        weight = 1.0 if site_weights is None else float(site_weights.get(site.address, 0.0))
        if weight <= 0.0:
            continue
        offered = program.operators_at(site.address)
        shares = operator_shares(offered, operator_weights) or [1.0] * len(offered)
        total = sum(shares)
        for (name, payloads), share in zip(offered, shares, strict=True):
            if share > 0.0 and payloads:
                chance = weight * share / total / len(payloads)
                distinct = tuple(dict.fromkeys(payloads))
                groups.append((-chance, len(groups), name, site.address, distinct))
    groups.sort(key=lambda group: group[:2])
    return [(name, address, payloads) for _, _, name, address, payloads in groups]


def likeliest(
    program: Program,
    site_weights: Mapping[str, float] | None,
    operator_weights: Mapping[str, float] | None,
) -> Iterator[Edit]:
    """Every single edit of `program`, likeliest first (`ranked_groups`), made as taken."""
    for name, address, payloads in ranked_groups(program, site_weights, operator_weights):
        for payload in payloads:
            yield Edit(name, address, payload)


@dataclass
class Sweep:
    enabled: bool = True
    budget: int = 0
    spent: int = 0  # single edits handed out over the run
    base: Patch = ()  # the champion whose neighbourhood is being swept
    tried: list[Edit] = field(default_factory=list)  # in the order they were tried
    # (operator, site) -> how many of its payloads were taken: they are taken in order.
    taken: dict[tuple[str, str], int] = field(default_factory=dict)
    # Each tried edit's text, kept as they are tried: a checkpoint is taken every generation,
    # and writing the whole list afresh each time grew with the run.
    _tried_json: list[str] = field(default_factory=list, compare=False, repr=False)

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
            self.base, self.tried, self.taken, self._tried_json = champion, [], {}, []
        chosen: list[Patch] = []
        looks = 0
        for name, address, payloads in ranked_groups(program, site_weights, operator_weights):
            if len(chosen) == limit or looks == MAX_LOOKS:
                break
            group = (name, address)
            for index in range(self.taken.get(group, 0), len(payloads)):
                if len(chosen) == limit or looks == MAX_LOOKS:
                    break
                self.taken[group] = index + 1
                edit = Edit(name, address, payloads[index])
                if edit in champion:
                    continue
                self.tried.append(edit)
                self._tried_json.append(patch_to_json((edit,))[1:-1])
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
            "tried": "[" + ",".join(self._tried_json) + "]",
            "taken": [[name, site, count] for (name, site), count in self.taken.items()],
        }

    def restore(self, state: dict[str, Any]) -> None:
        self.enabled = bool(state["enabled"])
        self.budget = int(state["budget"])
        self.spent = int(state["spent"])
        self.base = patch_from_json(state["base"])
        self.tried = list(patch_from_json(state["tried"]))
        self._tried_json = [patch_to_json((edit,))[1:-1] for edit in self.tried]
        self.taken = {(str(name), str(site)): int(count) for name, site, count in state["taken"]}
