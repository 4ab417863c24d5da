"""Reference for longest_streak: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def longest_streak(days, goal):
    """The length of the longest run of consecutive days whose count reaches `goal`.

    `days` holds one count per day, in order; 0 when no day reaches the goal.
    """
    best = 0
    run = 0
    for count in days:
        if count >= goal:
            run += 1
            best = max(best, run)
        else:
            run = 0
    return best


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [[], 5],
        [[1, 6, 6, 2, 9], 5],
        [[6, 7, 8], 5],
        [[5, 5, 0, 5], 5],
        [[0, 0, 9, 9, 9], 5],
        [[3, 4, 8, 8, 8, 1, 8], 4],
        [[10, 0, 10, 10], 10],
        [[2, 2, 2], 3],
    ]
    holdout = [[[9, 9, 9, 0, 9], 1], [[4, 0, 4, 4, 0, 4], 4]]
    for _ in range(80):
        days = [rng.randint(0, 10) for _ in range(rng.randint(0, 12))]
        holdout.append([days, rng.randint(3, 7)])
    return [(args, {}) for args in search + holdout]
