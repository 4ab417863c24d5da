"""Reference for search_insert: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random


def search_insert(xs, target):
    lo, hi = 0, len(xs)
    while lo < hi:
        mid = (lo + hi) // 2
        if xs[mid] == target:
            return mid
        if xs[mid] < target:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _case(rng: random.Random, size: int, present: bool) -> list:
    xs = sorted(rng.sample(range(-50, 50), size))
    if present and xs:
        return [xs, rng.choice(xs)]
    return [xs, rng.randint(-55, 55)]


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [[], 5],
        [[1, 3, 5, 6], 5],
        [[1, 3, 5, 6], 2],
        [[1, 3, 5, 6], 7],
        [[1, 3, 5, 6], 0],
        [[4], 4],
        [[-3, 0, 8], 0],
        [[2, 4, 6, 8, 10, 12, 14], 14],
    ]
    search += [_case(rng, rng.randint(1, 10), present=True) for _ in range(4)]
    search += [_case(rng, rng.randint(1, 10), present=False) for _ in range(4)]
    holdout = [
        [[], -1],
        [[4], 3],
        [[4], 5],
        [[1, 2], 2],
        [[1, 2], 3],
        [[10, 20, 30, 40, 50, 60, 70, 80], 10],
        [[10, 20, 30, 40, 50, 60, 70, 80], 45],
    ]
    holdout += [_case(rng, rng.randint(0, 15), present=rng.random() < 0.5) for _ in range(60)]
    return [(args, {}) for args in search + holdout]
