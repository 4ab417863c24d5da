"""Reference for climb_ways: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random


def climb_ways(n, memo=None):
    """Ways to climb n stairs taking 1, 2 or 3 steps at a time (1 for n = 0, 0 for n < 0)."""
    if memo is None:
        memo = {}
    if n < 0:
        return 0
    if n == 0:
        return 1
    if n not in memo:
        memo[n] = climb_ways(n - 1, memo) + climb_ways(n - 2, memo) + climb_ways(n - 3, memo)
    return memo[n]


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [-3, -1, 0, 1, 2, 3, 4, 5, 6, 7, 10, 15, 20, 30, 45, 60]
    holdout = [-10, -2, 8, 9, 11, 12, 13, 14, *range(16, 45), 46, 50, 55, 61, 70, 80, 90, 100]
    holdout += [rng.randint(101, 300) for _ in range(8)]
    return [([n], {}) for n in search + holdout]
