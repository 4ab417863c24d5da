"""The one-edit neighbourhood of a plausible repair: every other single edit on its lines.

A search finds the first patch that passes the tests, not the simplest: with few tests a
two-edit patch that happens to pass (`while i + 1 < n` and `return j < m`) often turns up
before the one-edit fix at the very line it touched (`return i == n`). The lines a plausible
patch edits are where the defect most likely is (the tests fail without the edit there), so
once the first plausible repair is found, every single edit on those lines is tried, the
patch's own sites first, then on the lines that use the names those lines mention (a wrong
patch often bends a value into shape where it is made, `n = len(xs) - k`, and the fix is
where it is used, `total / (n - k)`): a simpler repair there joins the choice, and the
ranking prefers fewer edits. A few hundred evaluations at most, in a fixed order (the run
stays deterministic).
"""

from __future__ import annotations

import libcst as cst

from evolve.program.patch import Patch
from evolve.program.program import Program
from evolve.program.sites import Site

# Patches tried at most: the sites on a few lines of a small function.
MAX_NEIGHBOURS = 400
# ...and at least this many, however small the budget (the acceptor allows a tenth of it).
MIN_NEIGHBOURS = 50


def neighbours(
    program: Program, found: Patch, base: Patch, limit: int = MAX_NEIGHBOURS
) -> list[Patch]:
    """`base` plus one edit, for every edit at a site on a line `found` edits and not
    already in `base`: the sites `found` edits first, then the others on those lines, then
    those on the lines that read a name the edited lines mention (nearest first: where the
    value a wrong patch bent into shape is used, the fix may be); each site's edits in
    registry order; `found` itself is left out."""
    own: list[str] = []
    lines: set[tuple[str, int]] = set()
    for edit in found:
        if edit in base:
            continue
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
    patches: list[Patch] = []
    seen = {tuple(found)}
    for address in dict.fromkeys([*own, *same, *(s.address for s in near)]):
        for edit in program.edits_at(address):
            if edit in base:
                continue
            patch: Patch = (*base, edit)
            if patch in seen:
                continue
            seen.add(patch)
            patches.append(patch)
            if len(patches) >= limit:
                return patches
    return patches


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
