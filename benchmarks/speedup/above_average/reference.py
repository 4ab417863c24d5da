"""Reference for above_average: a correct, faster program and the inputs of its cases.

The seed is correct too; this version does less work."""

from __future__ import annotations

import random


def _mean(xs):
    """Arithmetic mean of a non-empty list."""
    total = 0
    for x in xs:
        total += x
    return total / len(xs)


def above_average(xs):
    """The values of xs that are greater than the mean of xs, in their order."""
    out = []
    mean = _mean(xs)
    for x in xs:
        if x > mean:
            out.append(x)
    return out


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [[[5]], [[1, 2]], [[3, 3, 3]], [[1, 2, 3, 4, 100]]]
    search += [[[rng.randint(-50, 50) for _ in range(rng.randint(15, 30))]] for _ in range(12)]
    holdout = [[[0, 0, 1]], [[-5, -4]]]
    holdout += [[[rng.randint(-100, 100) for _ in range(rng.randint(1, 30))]] for _ in range(60)]
    return [(args, {}) for args in search + holdout]
