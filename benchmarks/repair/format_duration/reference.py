"""Reference for format_duration: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random


def _split(seconds):
    """(hours, minutes, seconds) of a number of seconds; minutes and seconds below 60."""
    hours = seconds // 3600
    minutes = seconds // 60 - hours * 60
    return hours, minutes, seconds % 60


def format_duration(seconds):
    """seconds >= 0 as "H:MM:SS": 3725 -> "1:02:05"."""
    hours, minutes, secs = _split(seconds)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [0, 5, 59, 60, 61, 600, 3599, 3600, 3601, 3725, 7199, 7322, 86399, 90061, 45, 1234]
    holdout = [1, 120, 3540, 3660, 10000, 359999, 360000]
    holdout += [rng.randint(0, 10 ** rng.randint(2, 6)) for _ in range(70)]
    return [([n], {}) for n in search + holdout]
