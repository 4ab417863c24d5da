"""Reference for weather_summary: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def _to_fahrenheit(celsius):
    return celsius * 9 / 5 + 32


def weather_summary(readings):
    """[lowest, highest, mean] of Celsius readings in Fahrenheit, each rounded to 1 decimal.

    None when there are no readings.
    """
    if not readings:
        return None
    temps = [_to_fahrenheit(c) for c in readings]
    mean = sum(temps) / len(temps)
    return [round(min(temps), 1), round(max(temps), 1), round(mean, 1)]


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [[]],
        [[10, 20, 30]],
        [[21]],
        [[-40, 100]],
        [[-3, 2]],
        [[15, -5, 25]],
        [[36.6, 37.2]],
        [[0]],
    ]
    holdout = [[[-17]], [[5, 5, 5]], [[-0.5, 0.5]]]
    for _ in range(80):
        readings = []
        for _ in range(rng.randint(1, 6)):
            whole = rng.randint(-30, 40)
            readings.append(whole if rng.random() < 0.6 else whole + rng.randint(1, 9) / 10)
        holdout.append([readings])
    return [(args, {}) for args in search + holdout]
