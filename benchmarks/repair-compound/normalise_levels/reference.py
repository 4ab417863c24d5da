"""Reference for normalise_levels: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def normalise_levels(levels, lo, hi):
    """Each level clamped to [lo, hi], then scaled to a whole percentage of the range (lo is
    0, hi is 100); a range of zero width maps every level to 0."""
    if hi == lo:
        return [0 for _ in levels]
    span = hi - lo
    out = []
    for x in levels:
        level = max(lo, min(x, hi))
        out.append(round((level - lo) * 100 / span))
    return out


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [[0, 5, 10], 0, 10],
        [[-3, 0], 0, 10],
        [[], 0, 5],
        [[50, 150, 75], 0, 100],
        [[3, 4], 5, 5],
        [[7, 1, 9], 2, 8],
        [[1, 2], 4, 9],
        [[12], 10, 14],
    ]
    holdout = [[[100], 0, 100], [[-50, 50], -50, 50]]
    for _ in range(80):
        lo = rng.randint(-20, 20)
        hi = lo + rng.randint(1, 40)
        levels = [rng.randint(lo - 10, hi + 10) for _ in range(rng.randint(1, 6))]
        holdout.append([levels, lo, hi])
    return [(args, {}) for args in search + holdout]
