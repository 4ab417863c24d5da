"""Reference for events_between: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def events_between(events, start, end):
    """The names of the [time, name] events whose time lies in [start, end], both ends
    included, ordered by time (ties keep their order). A window given the wrong way round
    is read the right way round."""
    if start > end:
        start, end = end, start
    chosen = [event for event in events if start <= event[0] <= end]
    chosen.sort(key=lambda event: event[0])
    return [name for _, name in chosen]


NAMES = ["boot", "login", "sync", "error", "logout", "tick"]


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [[[5, "a"], [1, "b"], [3, "c"]], 2, 6],
        [[[1, "x"]], 1, 1],
        [[], 0, 10],
        [[[2, "p"], [4, "q"], [6, "r"]], 2, 6],
        [[[10, "late"], [0, "early"]], 0, 9],
        [[[2, "p"], [4, "q"], [6, "r"]], 3, 5],
        [[[3, "u"], [9, "v"]], 1, 9],
        [[[7, "m"], [7, "n"]], 8, 6],
    ]
    holdout = [[[[4, "a"]], 5, 4], [[[0, "z"], [0, "y"]], 0, 0]]
    for _ in range(80):
        events = [[rng.randint(0, 12), rng.choice(NAMES)] for _ in range(rng.randint(0, 6))]
        times = [t for t, _ in events]
        start = rng.choice(times) if times and rng.random() < 0.5 else rng.randint(0, 12)
        end = rng.choice(times) if times and rng.random() < 0.5 else rng.randint(0, 12)
        holdout.append([events, start, end])
    return [(args, {}) for args in search + holdout]
