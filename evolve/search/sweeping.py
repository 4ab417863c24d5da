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

A defect can hide another: `is_subsequence` starts its scan of `big` at 1 instead of 0 and
then answers True whatever the scan found. Fixing the start alone changes no answer, so no
test rewards it; fixing the return alone (`return i == len(small)`) passes the four tests
that want False and fails two that want True, which the scan's wrong start now decides. The
champion stays the seed (that trade breaks tests it passed), the trade is one variant among
hundreds that pass more tests by gaming them, and the fix one edit from it was never tried in
5,000 evaluations. So the sweep also follows a *stepping stone*: the single edit of the
champion that passes the most tests the run has seen, more than the champion, not all (a
whole repair is the acceptor's). One of its own single edits, in the same order, is tried
with each generation: the repair is two edits from the champion, the stone one of them. A
better stone, or a new champion, starts its neighbourhood afresh.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from evolve.program.patch import Edit, Patch, Payload, patch_from_json, patch_to_json
from evolve.program.program import Program, operator_shares
from evolve.search.individual import Individual
from sandbox import Status

# Single edits of the champion evaluated with each generation.
PER_GENERATION = 3
# ...and of the stepping stone, beyond them.
STONE_PER_GENERATION = 1
# The most of the budget the sweep spends.
SHARE = 0.25
# Candidates looked at in one generation before giving up on finding new ones (each check
# renders a variant).
MAX_LOOKS = 30

# Whether the run has evaluated the source a patch renders to (the search's cache).
Seen = Callable[[Patch], bool]
# (operator, site, its distinct payloads), likeliest first (`ranked_groups`).
Groups = list[tuple[str, str, tuple[Payload, ...]]]


def ranked_groups(
    program: Program,
    site_weights: Mapping[str, float] | None,
    operator_weights: Mapping[str, float] | None,
) -> Groups:
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
class Neighbourhood:
    """The single edits of one patch handed out so far, in the order `ranked_groups` gives."""

    base: Patch = ()
    tried: list[Edit] = field(default_factory=list)  # in the order they were tried
    # (operator, site) -> how many of its payloads were taken: they are taken in order.
    taken: dict[tuple[str, str], int] = field(default_factory=dict)
    # Each tried edit's text, kept as they are tried: a checkpoint is taken every generation,
    # and writing the whole list afresh each time grew with the run.
    _tried_json: list[str] = field(default_factory=list, compare=False, repr=False)

    def take(self, groups: Groups, limit: int, seen: Seen) -> list[Patch]:
        """Up to `limit` patches of the base and one edit not taken before, unseen ones."""
        chosen: list[Patch] = []
        looks = 0
        for name, address, payloads in groups:
            if len(chosen) == limit or looks == MAX_LOOKS:
                break
            group = (name, address)
            for index in range(self.taken.get(group, 0), len(payloads)):
                if len(chosen) == limit or looks == MAX_LOOKS:
                    break
                self.taken[group] = index + 1
                edit = Edit(name, address, payloads[index])
                if edit in self.base:
                    continue
                self.tried.append(edit)
                self._tried_json.append(patch_to_json((edit,))[1:-1])
                looks += 1
                patch = (*self.base, edit)
                if not seen(patch):
                    chosen.append(patch)
        return chosen

    def state(self) -> dict[str, Any]:
        return {
            "base": patch_to_json(self.base),
            "tried": "[" + ",".join(self._tried_json) + "]",
            "taken": [[name, site, count] for (name, site), count in self.taken.items()],
        }

    @classmethod
    def restored(cls, state: dict[str, Any]) -> Neighbourhood:
        tried = list(patch_from_json(state["tried"]))
        return cls(
            base=patch_from_json(state["base"]),
            tried=tried,
            taken={(str(name), str(site)): int(count) for name, site, count in state["taken"]},
            _tried_json=[patch_to_json((edit,))[1:-1] for edit in tried],
        )


def _one_edit_beyond(patch: Patch, champion: Patch) -> bool:
    """Whether `patch` is `champion` and one edit more, in whatever order."""
    mine, theirs = Counter(patch), Counter(champion)
    return not theirs - mine and sum((mine - theirs).values()) == 1


@dataclass
class Sweep:
    enabled: bool = True
    budget: int = 0
    spent: int = 0  # single edits handed out over the run
    champion: Neighbourhood = field(default_factory=Neighbourhood)
    # The stepping stone (the module's docstring), with the champion it is one edit from
    # and the tests it passes; its base is () while there is none.
    stone: Neighbourhood = field(default_factory=Neighbourhood)
    stone_of: Patch = ()
    stone_passed: int = 0

    @property
    def tried(self) -> list[Edit]:
        return self.champion.tried

    def observe(
        self, population: Sequence[Individual], champion: Patch, champion_passed: int
    ) -> None:
        """Take the best stepping stone among an evaluated population: a single edit of
        `champion` that ran every test, passing more than it and than the stone so far but
        not all."""
        if not self.enabled:
            return
        if champion != self.stone_of:
            self.stone, self.stone_of, self.stone_passed = Neighbourhood(), champion, 0
        for individual in population:
            evaluation = individual.evaluation
            # Only one that ran to the end: where a time limit cut a variant short, how many
            # tests it passed first depends on the machine's load, and the run would not
            # repeat.
            if evaluation is None or evaluation.status is not Status.FAILED:
                continue
            better = evaluation.passed > max(champion_passed, self.stone_passed)
            if better and _one_edit_beyond(individual.patch, champion):
                self.stone = Neighbourhood(base=individual.patch)
                self.stone_passed = evaluation.passed

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
        likeliest first, and then `STONE_PER_GENERATION` of the stepping stone's; none once
        the sweep has spent its share of the budget."""
        if not self.enabled:
            return []
        left = int(SHARE * self.budget) - self.spent
        if left <= 0:
            return []
        if champion != self.champion.base:
            self.champion = Neighbourhood(base=champion)
        groups = ranked_groups(program, site_weights, operator_weights)
        chosen = self.champion.take(groups, min(limit, left), seen)
        if self.stone.base and self.stone_of == champion:
            more = min(STONE_PER_GENERATION, left - len(chosen))
            if more > 0:
                chosen += self.stone.take(groups, more, lambda p: p in chosen or seen(p))
        self.spent += len(chosen)
        return chosen

    def state(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "budget": self.budget,
            "spent": self.spent,
            **self.champion.state(),
            "stone": self.stone.state(),
            "stone_of": patch_to_json(self.stone_of),
            "stone_passed": self.stone_passed,
        }

    def restore(self, state: dict[str, Any]) -> None:
        self.enabled = bool(state["enabled"])
        self.budget = int(state["budget"])
        self.spent = int(state["spent"])
        self.champion = Neighbourhood.restored(state)
        # Checkpoints from before stepping stones have none.
        self.stone = Neighbourhood.restored(state["stone"]) if "stone" in state else Neighbourhood()
        self.stone_of = patch_from_json(state.get("stone_of", "[]"))
        self.stone_passed = int(state.get("stone_passed", 0))
