"""Reference for pairs_within: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def pairs_within(prices, budget):
    """How many pairs of different items (i < j) cost at most `budget` together; `prices`
    is sorted in ascending order. Two pointers walk in from both ends."""
    lo, hi = 0, len(prices) - 1
    count = 0
    while lo < hi:
        if prices[lo] + prices[hi] <= budget:
            count += hi - lo
            lo += 1
        else:
            hi -= 1
    return count


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [[], 10],
        [[1, 2, 3], 4],
        [[5], 10],
        [[6, 7, 8], 10],
        [[1, 1, 1, 1], 2],
        [[10, 20], 25],
        [[2, 3, 5, 8], 9],
        [[4, 9, 12], 3],
    ]
    holdout = [[[1, 1], 1], [[1, 1], 2], [[0, 0, 0], 0]]
    for _ in range(80):
        prices = sorted(rng.randint(0, 20) for _ in range(rng.randint(0, 8)))
        holdout.append([prices, rng.randint(0, 30)])
    return [(args, {}) for args in search + holdout]
