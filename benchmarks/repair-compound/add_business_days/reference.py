"""Reference for add_business_days: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def add_business_days(start, days, holidays):
    """The day number `days` business days after day `start`. Days count from 0, a Monday,
    so day d is a weekend day when d % 7 is 5 or 6; `holidays` are not business days
    either. Zero business days after a day is that day itself."""
    closed = set(holidays)
    day = start
    added = 0
    while added < days:
        day += 1
        if day % 7 >= 5 or day in closed:
            continue
        added += 1
    return day


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [0, 6, []],
        [6, 1, []],
        [3, 4, [4]],
        [10, 10, []],
        [1, 6, [2, 3]],
        [5, 3, []],
        [20, 7, [22, 23, 24]],
        [2, 9, [9]],
    ]
    holdout = [[0, 0, []], [6, 0, [6]], [4, 1, []], [0, 1, [1, 2, 3, 4, 7]]]
    for _ in range(80):
        start = rng.randint(0, 40)
        holidays = sorted(rng.sample(range(start, start + 30), rng.randint(0, 4)))
        holdout.append([start, rng.randint(0, 15), holidays])
    return [(args, {}) for args in search + holdout]
