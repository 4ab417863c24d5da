"""Reference for first_repeat: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random


def first_repeat(xs):
    """Index of the first element equal to an earlier one, or -1 when all are distinct."""
    seen = set()
    found = -1
    for i, x in enumerate(xs):
        if x in seen:
            found = i
            break
        seen.add(x)
    return found


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [],
        [1],
        [1, 2, 3],
        [1, 1],
        [1, 2, 1],
        [5, 6, 7, 5],
        [1, 1, 1],
        [1, 2, 1, 2],
        [3, 3, 4, 4],
        [9, 8, 9, 8, 9],
        [0, 1, 2, 3, 4, 5],
        [2, 7, 2, 7, 7, 1],
        ["a", "b", "a"],
    ]
    search += [[rng.randint(0, 9) for _ in range(rng.randint(5, 10))] for _ in range(3)]
    holdout = [[4, 4], [1, 2, 3, 4, 1, 2], ["x", "y", "z"]]
    holdout += [
        [rng.randint(0, rng.choice([5, 20, 60])) for _ in range(rng.randint(0, 15))]
        for _ in range(70)
    ]
    return [([xs], {}) for xs in search + holdout]
