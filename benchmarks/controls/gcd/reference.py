"""Reference for gcd (negative control): the seed itself, already efficient, and
the inputs of its cases."""

from __future__ import annotations

import random


def gcd(a, b):
    """Greatest common divisor of two non-negative integers (gcd(0, 0) is 0)."""
    while b:
        a, b = b, a % b
    return a


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [0, 0],
        [0, 7],
        [7, 0],
        [12, 18],
        [18, 12],
        [17, 5],
        [1, 1],
        [100, 75],
        [1071, 462],
        [2**20, 2**12 * 3],
        [89, 55],
        [13, 13],
    ]
    search += [[rng.randint(0, 10**6), rng.randint(0, 10**6)] for _ in range(4)]
    holdout = [[6, 35], [144, 233]]
    holdout += [
        [rng.randint(0, 10 ** rng.randint(1, 9)), rng.randint(0, 10 ** rng.randint(1, 9))]
        for _ in range(60)
    ]
    return [(args, {}) for args in search + holdout]
