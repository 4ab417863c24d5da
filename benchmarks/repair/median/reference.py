"""Reference for median: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random


def median(xs):
    """Median of a non-empty list of numbers.

    The middle value of the sorted list, or the mean of the two middle values when the
    count is even.
    """
    s = sorted(xs)
    n = len(s)
    mid = n // 2
    if n % 2 == 1:
        return s[mid]
    return (s[mid] + s[mid - 1]) / 2


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [5],
        [3, 1, 2],
        [1, 2],
        [4, 1, 3, 2],
        [7, 7],
        [1, 2, 3, 4, 5],
        [10, -10],
        [2, 8, 4, 6],
        [9, 1, 5, 3, 7, 2],
        [0, 0, 0],
        [6, 1, 6, 1],
        [-1, -2, -3],
        [5, 3, 9, 11, 1, 7, 13],
    ]
    search += [[rng.randint(-20, 20) for _ in range(rng.randint(1, 9))] for _ in range(3)]
    holdout = [[1, 100], [3, 3, 3, 3], [1, 2, 3]]
    holdout += [[rng.randint(-100, 100) for _ in range(rng.randint(1, 12))] for _ in range(70)]
    return [([xs], {}) for xs in search + holdout]
