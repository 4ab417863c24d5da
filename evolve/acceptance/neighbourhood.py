"""The neighbourhood of a plausible repair: the patches one edit away from it.

A search finds the first patch that passes the tests, not the simplest: with few tests a
two-edit patch that happens to pass (`while i + 1 < n` and `return j < m`) often turns up
before the one-edit fix at the very line it touched (`return i == n`). The lines a plausible
patch edits are where the defect most likely is (the tests fail without the edit there), so
once the first plausible repair is found, every single edit on those lines is tried, the
patch's own sites first, then on the lines that use the names those lines mention (a wrong
patch often bends a value into shape where it is made, `n = len(xs) - k`, and the fix is
where it is used, `total / (n - k)`): a simpler repair there joins the choice, and the
ranking prefers fewer edits.

A program with two defects needs two edits, and the first plausible pair often fixes one
defect properly and bends the other into passing (`zip(a, b, strict=False)` where a length
check was missing). No single edit can repair both, so for a patch of several edits the
neighbourhood also swaps one edit at a time: the others kept, the dropped one replaced by
each other edit, first the other edits of its own site, then breadth first over the sites
near where it was, then over those fault localisation found most suspicious. Half the
allowance goes to the single edits, half to the swaps, shared among the dropped edits in
turn. A few hundred evaluations at most, in a fixed order (the run stays deterministic).

With no holdout to vouch for a repair, a plausible patch of several edits is also checked
against every other single edit of the champion (`other_single_edits`), near the patch first,
then by fault localisation, up to `SINGLE_EDIT_SHARE` of the budget: the ranking prefers the
fewest edits, but it can only prefer a single edit it has seen. `has_path_sum`'s recursion
passes `target` on unchanged where `target - tree[i]` is meant; with eight tests, two-edit
patches that bend the leaf's comparison pass by evaluation 500, and the fix sits about 700th
among the 1,550 single edits, past the neighbourhood's allowance.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterator, Mapping
from itertools import combinations

import libcst as cst

from evolve.program.patch import Edit, Patch
from evolve.program.program import Program
from evolve.program.sites import Site

# Patches tried at most: the sites on a few lines of a small function.
MAX_NEIGHBOURS = 400
# ...and at least this many, however small the budget (the acceptor allows a tenth of it).
MIN_NEIGHBOURS = 50
# The most of the budget spent on the single edits beyond the neighbourhood.
SINGLE_EDIT_SHARE = 0.15
# A dropped edit's own site: this many of its other edits are swapped in before any other
# site's second.
OWN_SITE_EDITS = 16


def neighbours(
    program: Program,
    found: Patch,
    base: Patch,
    limit: int = MAX_NEIGHBOURS,
    weights: Mapping[str, float] | None = None,
) -> list[Patch]:
    """Patches one edit away from `found`, on top of `base` (the champion's edits), `found`
    itself left out.

    First `base` plus one edit, for every edit at a site on a line `found` edits: the sites
    `found` edits first, then the others on those lines, then those on the lines that read a
    name the edited lines mention (nearest first); each site's edits in registry order.
    When `found` adds several edits, half of `limit` goes to those and half to swaps: some of
    `found`'s edits kept and the others replaced by one edit, placed near the dropped ones as
    above, then at every other site, most suspicious first by `weights` (fault localisation's
    site weights; None: nearest first). Each way of dropping edits takes its turn, those that
    drop most (the smallest patches) first in each round."""
    new = _new_edits(found, base)
    seen = {tuple(found)}
    patches: list[Patch] = []

    def offer(patch: Patch) -> bool:
        if patch in seen:
            return False
        seen.add(patch)
        patches.append(patch)
        return True

    singles = limit if len(new) < 2 else limit // 2
    for single in _single_edits(program, _around(program, new, None, everywhere=False), base):
        if len(patches) >= singles:
            break
        offer(single)
    if len(new) < 2:
        return patches
    swaps = []
    for dropped in _droppings(len(new)):
        kept = [edit for i, edit in enumerate(new) if i not in dropped]
        swaps.append(_swaps(program, base, kept, [new[i] for i in dropped], weights))
    while len(patches) < limit and swaps:
        for stream in list(swaps):
            patch = next(stream, None)
            while patch is not None and not offer(patch):
                patch = next(stream, None)
            if patch is None:
                swaps.remove(stream)
            elif len(patches) >= limit:
                break
    return patches


def other_single_edits(
    program: Program,
    found: Patch,
    base: Patch,
    tried: Collection[Patch],
    limit: int,
    weights: Mapping[str, float] | None = None,
) -> list[Patch]:
    """Up to `limit` patches of `base` plus one edit, none in `tried`: the sites near
    `found`'s new edits first, then every other site, most suspicious first by `weights`;
    each site's edits in registry order. Empty when `found` adds a single edit."""
    new = _new_edits(found, base)
    if len(new) < 2:
        return []
    seen = set(tried)
    patches: list[Patch] = []
    for patch in _single_edits(program, _around(program, new, weights, everywhere=True), base):
        if len(patches) >= limit:
            break
        if patch not in seen:
            seen.add(patch)
            patches.append(patch)
    return patches


def _single_edits(program: Program, addresses: list[str], base: Patch) -> Iterator[Patch]:
    """`base` plus each edit at `addresses` it does not have, in order."""
    for address in addresses:
        for edit in program.edits_at(address):
            if edit not in base:
                yield (*base, edit)


def _new_edits(found: Patch, base: Patch) -> list[Edit]:
    """The edits of `found` that `base` does not have (counted: a repeated edit is new once
    more than `base` has it)."""
    unclaimed = Counter(base)
    new: list[Edit] = []
    for edit in found:
        if unclaimed[edit] > 0:
            unclaimed[edit] -= 1
        else:
            new.append(edit)
    return new


# Beyond this many edits in a patch, only single edits are dropped, or all but one kept.
_EVERY_SUBSET_UP_TO = 4


def _droppings(count: int) -> list[tuple[int, ...]]:
    """Which of `count` edits to drop, as index tuples: the most first (all but one), down
    to one; a patch with two defects fixed and a third edit that only bent a value into
    shape needs two dropped and one added."""
    sizes = range(count - 1, 0, -1) if count <= _EVERY_SUBSET_UP_TO else [count - 1, 1]
    return [combo for size in sizes for combo in combinations(range(count), size)]


def _swaps(
    program: Program,
    base: Patch,
    kept: list[Edit],
    dropped: list[Edit],
    weights: Mapping[str, float] | None,
) -> Iterator[Patch]:
    """`base` plus `kept` plus each edit that is not in them: first the other edits of the
    dropped edits' own sites (up to `OWN_SITE_EDITS` each), then breadth first, the first
    edit of every site (near `dropped` first), then the second of each, and so on. A
    statement site offers an insertion of every statement at every position, a hundred
    edits or more; taken whole, it would spend the allowance before the next line."""
    addresses = _around(program, dropped, weights, everywhere=True)
    per_site = [
        [
            e
            for e in program.edits_at(address)
            if e not in dropped and e not in base and e not in kept
        ]
        for address in addresses
    ]
    # A value bent into passing is most often meant to be another edit of the same node
    # (`is_leap(y - month)` where `is_leap(year)` was meant); breadth first over a few dozen
    # sites, its second edit would come after the allowance is spent.
    own = {edit.site for edit in dropped}
    for address, edits in zip(addresses, per_site, strict=True):
        if address in own:
            for edit in edits[:OWN_SITE_EDITS]:
                yield (*base, *kept, edit)
    for rank in range(max(map(len, per_site), default=0)):
        for edits in per_site:
            if rank < len(edits):
                yield (*base, *kept, edits[rank])


def _around(
    program: Program,
    edits: list[Edit],
    weights: Mapping[str, float] | None,
    *,
    everywhere: bool,
) -> list[str]:
    """Site addresses near `edits`: their own sites, the other sites on their lines, the
    sites on lines that read a name those lines mention (nearest first); with `everywhere`,
    then every other site, by `weights` (highest first) and distance."""
    own: list[str] = []
    lines: set[tuple[str, int]] = set()
    for edit in edits:
        try:
            site = program.site(edit.site)
        except KeyError:
            continue
        own.append(edit.site)
        lines.add((site.file, site.line))
    same = [s.address for s in program.sites if (s.file, s.line) in lines]
    names = {name for s in program.sites if (s.file, s.line) in lines for name in _names(s.node)}
    related = {
        (s.file, s.line)
        for s in program.sites
        if isinstance(s.node, cst.Name) and s.node.value in names
    } - lines

    def distance(site: Site) -> int:
        # A name is shared across files too: a line of another file is far.
        return min(
            (abs(site.line - line) for file, line in lines if file == site.file), default=1 << 20
        )

    near = sorted(
        (s for s in program.sites if (s.file, s.line) in related),
        key=lambda s: (distance(s), s.line),
    )
    ordered = [*own, *same, *(s.address for s in near)]
    if everywhere:
        rest = sorted(
            program.sites,
            key=lambda s: (-(weights or {}).get(s.address, 0.0), distance(s), s.file, s.line),
        )
        ordered += [s.address for s in rest]
    return list(dict.fromkeys(ordered))


def _names(node: cst.CSTNode) -> set[str]:
    """Every name `node` mentions, assignment targets included (not those of nested
    blocks: a statement site's node may be a whole loop)."""
    if isinstance(node, cst.Name):
        return {node.value}
    if isinstance(node, cst.BaseSuite):
        return set()
    found: set[str] = set()
    for child in node.children:
        found |= _names(child)
    return found
