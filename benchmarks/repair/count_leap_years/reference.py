"""Reference for count_leap_years: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random


def _is_leap(year):
    """Divisible by 4, except the centuries that are not divisible by 400."""
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def count_leap_years(start, end):
    """Number of leap years from start to end, both included (0 when end < start)."""
    return sum(1 for year in range(start, end + 1) if _is_leap(year))


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [2001, 2003],
        [1999, 2001],
        [2000, 2000],
        [1900, 1900],
        [1897, 1899],
        [2010, 2005],
        [2021, 2023],
        [1600, 1600],
        [2004, 2004],
        [1996, 2004],
        [1890, 1910],
        [2020, 2020],
        [1, 100],
        [1800, 2000],
        [2100, 2100],
        [1583, 1999],
    ]
    holdout = [[2400, 2400], [2200, 2200], [1, 1], [4, 4], [2023, 2024]]
    for _ in range(70):
        start = rng.randint(1, 3000)
        holdout.append([start, start + rng.randint(-3, 500)])
    return [(args, {}) for args in search + holdout]
