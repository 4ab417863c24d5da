"""Reference for route_length: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def _blocks(a, b):
    """Blocks walked from corner a to corner b: east-west, then north-south."""
    return abs(b[0] - a[0]) + abs(b[1] - a[1])


def route_length(points):
    """Blocks walked along a route through the grid corners [x, y] in `points`, in order."""
    total = 0
    for i in range(1, len(points)):
        total += _blocks(points[i - 1], points[i])
    return total


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [[]],
        [[[0, 0], [3, 4]]],
        [[[5, 5], [2, 1]]],
        [[[0, 0]]],
        [[[1, 1], [4, 1], [0, 2]]],
        [[[0, 0], [0, -6], [2, -6]]],
        [[[9, 0], [0, 0]]],
        [[[-2, 3], [-2, 7], [-1, 0]]],
    ]
    holdout = [[[[3, 3], [3, 3]]], [[[0, 0], [-1, -1], [-2, -2]]]]
    for _ in range(80):
        points = [[rng.randint(-9, 9), rng.randint(-9, 9)] for _ in range(rng.randint(2, 6))]
        holdout.append([points])
    return [(args, {}) for args in search + holdout]
