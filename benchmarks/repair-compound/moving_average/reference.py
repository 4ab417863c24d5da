"""Reference for moving_average: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def moving_average(xs, k):
    """The mean of every window of k consecutive values of xs, in order, rounded to 3
    decimals. A series shorter than k has no window, and neither has a k below 1."""
    if k < 1:
        return []
    out = []
    window = sum(xs[:k])
    for i in range(len(xs) - k + 1):
        if i > 0:
            window += xs[i + k - 1] - xs[i - 1]
        out.append(round(window / k, 3))
    return out


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [[1, 2, 3], 1],
        [[1, 2, 3, 4], 2],
        [[], 3],
        [[5, 5, 5, 5, 5], 3],
        [[4, 8], 1],
        [[2, 4], 3],
        [[7], 1],
        [[10, 0, 10, 0, 10, 0], 4],
    ]
    holdout = [[[1, 2, 3], 3], [[1, 2, 3], 0], [[3, 1, 4, 1, 5, 9, 2, 6], 5]]
    for _ in range(80):
        xs = [rng.randint(0, 20) for _ in range(rng.randint(0, 9))]
        holdout.append([xs, rng.randint(1, 5)])
    return [(args, {}) for args in search + holdout]
