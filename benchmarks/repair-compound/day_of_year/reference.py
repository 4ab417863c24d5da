"""Reference for day_of_year: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def _is_leap(year):
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def day_of_year(year, month, day):
    """The date's number within its year: 1 for January 1st, 365 (366) for December 31st."""
    lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    if _is_leap(year):
        lengths[1] = 29
    return sum(lengths[: month - 1]) + day


LENGTHS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [2023, 1, 1],
        [2023, 9, 1],
        [2024, 3, 1],
        [2024, 11, 5],
        [2024, 12, 31],
        [2023, 9, 30],
        [2023, 10, 10],
        [2023, 11, 30],
    ]
    holdout = [[2000, 12, 31], [1900, 3, 1], [2023, 8, 31], [2100, 11, 30]]
    for _ in range(80):
        year = rng.randint(1890, 2110)
        month = rng.randint(1, 12)
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        last = 29 if month == 2 and leap else LENGTHS[month - 1]
        holdout.append([year, month, rng.randint(1, last)])
    return [(args, {}) for args in search + holdout]
