"""Patch minimisation: drop the edits an accepted change does not need (delta debugging).

Offspring carry edits that do nothing, or nothing useful, next to the one that matters; a
reviewer should see only the latter. `ddmin` (Zeller and Hildebrandt's delta debugging) finds
a 1-minimal subset of the new edits for which the fitness still holds: removing any single
edit of the result loses it. It tries chunks, then their complements, in a fixed order, so the
result is deterministic.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import TypeVar

from evolve.program.patch import Edit, Patch

T = TypeVar("T")


def ddmin(items: Sequence[T], holds: Callable[[Sequence[T]], bool]) -> list[T]:
    """A 1-minimal subsequence of `items` for which `holds` is true, assuming it holds for
    `items` itself. The empty subsequence is tried too: nothing may be needed at all."""
    current = list(items)
    if not current:
        return current
    if holds([]):
        return []
    granularity = 2
    while len(current) >= 2:
        size = -(-len(current) // granularity)  # ceiling division
        chunks = [current[i : i + size] for i in range(0, len(current), size)]
        reduced = False
        for chunk in chunks:  # is one chunk enough on its own?
            if holds(chunk):
                current, granularity, reduced = chunk, 2, True
                break
        if not reduced:
            for index in range(len(chunks)):  # can one chunk go?
                rest = [item for j, chunk in enumerate(chunks) if j != index for item in chunk]
                if holds(rest):
                    current, granularity, reduced = rest, max(granularity - 1, 2), True
                    break
        if not reduced:
            if granularity >= len(current):
                break
            granularity = min(granularity * 2, len(current))
    return current


def minimise_patch(
    parent: Patch, child: Patch, holds: Callable[[Patch], bool]
) -> tuple[Patch, tuple[Edit, ...]]:
    """The child patch with only the new edits it needs, and those edits.

    Edits the child shares with the parent stay, as do their places: the change a reviewer
    sees is relative to the parent, and patches are ordered (a later edit can land inside an
    earlier one's replacement). Edits are told apart by place, not value, so of two equal
    new edits one can go.
    """
    unclaimed = Counter(parent)
    new: list[int] = []
    for position, edit in enumerate(child):
        if unclaimed[edit] > 0:
            unclaimed[edit] -= 1
        else:
            new.append(position)
    fresh = set(new)

    def patch_with(kept: Sequence[int]) -> Patch:
        keep = set(kept)
        return tuple(e for i, e in enumerate(child) if i not in fresh or i in keep)

    needed = ddmin(new, lambda kept: holds(patch_with(kept)))
    return patch_with(needed), tuple(child[i] for i in needed)
