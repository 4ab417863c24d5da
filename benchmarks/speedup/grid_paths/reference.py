"""Reference for grid_paths: a correct, faster program and the inputs of its cases.

The seed is correct too; this version does less work."""

from __future__ import annotations

import random
from functools import cache


@cache
def grid_paths(rows, cols):
    """Paths from the top-left to the bottom-right corner of a rows x cols grid of cells,
    moving one step right or down at a time along the grid lines (1 when either is 0)."""
    if rows == 0 or cols == 0:
        return 1
    return grid_paths(rows - 1, cols) + grid_paths(rows, cols - 1)


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [0, 0],
        [0, 5],
        [3, 0],
        [1, 1],
        [2, 2],
        [3, 4],
        [5, 5],
        [6, 7],
        [7, 7],
        [4, 9],
        [10, 3],
        [8, 6],
        [2, 12],
        [6, 8],
        [9, 5],
        [1, 13],
    ]
    holdout = []
    for rows in range(0, 10):
        for cols in range(0, 10):
            if rows + cols <= 14 and [rows, cols] not in search:
                holdout.append([rows, cols])
    rng.shuffle(holdout)
    return [(args, {}) for args in search + holdout]
