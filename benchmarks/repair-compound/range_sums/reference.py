"""Reference for range_sums: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def _prefix_sums(xs):
    """prefix[i] is the sum of xs[:i]; one longer than xs."""
    prefix = [0]
    for x in xs:
        prefix.append(prefix[-1] + x)
    return prefix


def range_sums(xs, queries):
    """For each query [lo, hi], the sum of xs[lo:hi] (non-negative bounds, read as a slice)."""
    prefix = _prefix_sums(xs)
    n = len(xs)
    out = []
    for lo, hi in queries:
        lo = min(lo, n)
        hi = min(max(hi, lo), n)
        out.append(prefix[hi] - prefix[lo])
    return out


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [[1, 2, 3, 4], [[0, 4]]],
        [[1, 2, 3, 4], [[1, 3]]],
        [[5, -2, 7], [[0, 0], [0, 1], [0, 3]]],
        [[4, 4, 4], [[0, 2], [2, 3]]],
        [[], [[0, 0]]],
        [[10, -3, 6, 2, 8], [[3, 5], [0, 5], [2, 2]]],
        [[3, 1], [[0, 2], [0, 1]]],
        [[9], [[1, 1]]],
    ]
    holdout = [[[1, 2], [[2, 1]]], [[6, 6], [[1, 9]]]]
    for _ in range(80):
        xs = [rng.randint(-9, 9) for _ in range(rng.randint(0, 8))]
        queries = []
        for _ in range(rng.randint(1, 4)):
            lo = rng.randint(0, len(xs))
            queries.append([lo, rng.randint(lo, len(xs))])
        holdout.append([xs, queries])
    return [(args, {}) for args in search + holdout]
