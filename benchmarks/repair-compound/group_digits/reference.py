"""Reference for group_digits: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def group_digits(n, sep=","):
    """`n` written with `sep` between groups of three digits: 1234567 -> "1,234,567"."""
    digits = str(abs(n))
    out = ""
    while len(digits) > 3:
        group = sep + digits[-3:]
        out = group + out
        digits = digits[:-3]
    sign = "-" if n < 0 else ""
    return sign + digits + out


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [0],
        [1234567],
        [999],
        [1000],
        [1000000, " "],
        [-123456],
        [987654321, "."],
        [12345, "_"],
    ]
    holdout = [[-1000000], [10**12], [-999], [1001001, "'"]]
    for _ in range(80):
        n = rng.randint(0, 10 ** rng.randint(1, 13))
        args = [-n if rng.random() < 0.3 else n]
        if rng.random() < 0.3:
            args.append(rng.choice([" ", ".", "_", "'"]))
        holdout.append(args)
    return [(args, {}) for args in search + holdout]
