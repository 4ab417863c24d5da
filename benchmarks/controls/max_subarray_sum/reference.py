"""Reference for max_subarray_sum (negative control): the seed itself, already efficient, and
the inputs of its cases."""

from __future__ import annotations

import random


def max_subarray_sum(xs):
    """The largest sum of a non-empty run of consecutive elements of the non-empty list xs."""
    best = current = xs[0]
    for x in xs[1:]:
        current = max(x, current + x)
        best = max(best, current)
    return best


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [[5]],
        [[-3]],
        [[1, 2, 3]],
        [[-1, -2, -3]],
        [[2, -1, 2]],
        [[-2, 1, -3, 4, -1, 2, 1, -5, 4]],
        [[0, 0]],
        [[3, -10, 4]],
    ]
    search += [[[rng.randint(-20, 20) for _ in range(rng.randint(5, 30))]] for _ in range(8)]
    holdout = [[[-5, 10]], [[10, -5]]]
    holdout += [[[rng.randint(-50, 50) for _ in range(rng.randint(1, 30))]] for _ in range(60)]
    return [(args, {}) for args in search + holdout]
