"""Reference for isqrt: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random


def isqrt(n):
    if n < 0:
        raise ValueError("square root of a negative number")
    if n < 2:
        return n
    x = n
    y = (x + 1) // 2
    while y < x:
        x = y
        y = (x + n // x) // 2
    return x


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    # Numbers one below a perfect square are the interesting ones for Newton's method.
    search = [0, 1, 2, 3, 4, 5, 10, 15, 16, 17, 26, 99, 1000, 123456, 10**12, 10**20 + 7]
    holdout = [8, 9, 24, 25, 48, 63, 64, 65, 10**6 - 1, 2**31 - 1, 2**62, 10**30 - 1]
    for _ in range(40):
        holdout.append(rng.randint(2, 10 ** rng.randint(1, 25)))
    for _ in range(10):
        holdout.append(rng.randint(2, 10**9) ** 2 - rng.randint(0, 1))
    return [([n], {}) for n in search + holdout]
