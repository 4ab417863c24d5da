"""Reference for lower_bound (negative control): the seed itself, already efficient, and
the inputs of its cases."""

from __future__ import annotations

import random


def lower_bound(xs, target):
    """The first index i of the ascending list xs with xs[i] >= target (len(xs) if none)."""
    lo, hi = 0, len(xs)
    while lo < hi:
        mid = (lo + hi) // 2
        if xs[mid] < target:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _case(rng):
    xs = sorted(rng.randint(0, 60) for _ in range(rng.randint(0, 40)))
    return [xs, rng.randint(-5, 65)]


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [[], 3],
        [[1], 0],
        [[1], 1],
        [[1], 2],
        [[1, 1, 1], 1],
        [[1, 3, 5], 4],
        [[1, 3, 5], 6],
        [[2, 2, 3, 3], 3],
    ]
    search += [_case(rng) for _ in range(8)]
    holdout = [[[0, 10, 20], 10], [[5, 5], 6]]
    holdout += [_case(rng) for _ in range(60)]
    return [(args, {}) for args in search + holdout]
