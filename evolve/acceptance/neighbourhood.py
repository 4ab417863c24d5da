"""The one-edit neighbourhood of a plausible repair: every other single edit on its lines.

A search finds the first patch that passes the tests, not the simplest: with few tests a
two-edit patch that happens to pass (`while i + 1 < n` and `return j < m`) often turns up
before the one-edit fix at the very line it touched (`return i == n`). The lines a plausible
patch edits are where the defect most likely is (the tests fail without the edit there), so
once the first plausible repair is found, every single edit on those lines is tried, the
patch's own sites first: a simpler repair there joins the choice, and the ranking prefers
fewer edits. A few hundred evaluations at most, in a fixed order (the run stays
deterministic).
"""

from __future__ import annotations

from evolve.program.patch import Patch
from evolve.program.program import Program

# Patches tried at most: the sites on two or three lines of a small function.
MAX_NEIGHBOURS = 300


def neighbours(
    program: Program, found: Patch, base: Patch, limit: int = MAX_NEIGHBOURS
) -> list[Patch]:
    """`base` plus one edit, for every edit at a site on a line `found` edits and not
    already in `base`: the sites `found` edits first, then the others on those lines, each
    site's edits in registry order; `found` itself is left out."""
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
    others = [s.address for s in program.sites if (s.file, s.line) in lines]
    patches: list[Patch] = []
    seen = {tuple(found)}
    for address in dict.fromkeys([*own, *others]):
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


__all__ = ["MAX_NEIGHBOURS", "neighbours"]
