"""Reference for mean_reading: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def mean_reading(readings, low, high):
    """The mean of the readings that lie within [low, high], rounded to 2 decimals.

    Readings outside the range are glitches and are left out; None when no reading is left.
    """
    total = 0
    skipped = 0
    for value in readings:
        if value < low or value > high:
            skipped += 1
            continue
        total += value
    n = len(readings)
    if skipped == n:
        return None
    return round(total / (n - skipped), 2)


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [[], 0, 100],
        [[12, 15, 18], 0, 50],
        [[20, 21, 999, 22], -40, 60],
        [[3.5, 4.0, 4.5, 5.0], 0, 10],
        [[-80, 10, 12], -40, 60],
        [[500, 600], 0, 100],
        [[1, 2, 3, 4, 100, -100], 0, 10],
        [[7, 10], 0, 10],
    ]
    holdout = [[[99], 0, 10], [[0, 10], 0, 10], [[-5, -1, -3], -10, 0]]
    for _ in range(80):
        low = rng.randint(-50, 10)
        high = low + rng.randint(0, 80)
        readings = []
        for _ in range(rng.randint(0, 8)):
            value = rng.randint(low - 30, high + 30)
            readings.append(value + rng.choice([0, 0, 0.5, 0.25]))
        holdout.append([readings, low, high])
    return [(args, {}) for args in search + holdout]
