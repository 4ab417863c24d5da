"""Reference for add_decimal: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def add_decimal(a, b):
    """The sum of two non-negative integers written as decimal strings, as a decimal string.

    Digits are added from the right with a carry; an empty string counts as 0.
    """
    digits = []
    carry = 0
    i, j = len(a) - 1, len(b) - 1
    while i >= 0 or j >= 0:
        total = carry
        if i >= 0:
            total += int(a[i])
            i -= 1
        if j >= 0:
            total += int(b[j])
            j -= 1
        digits.append(str(total % 10))
        carry = total // 10
    if carry:
        digits.append(str(carry))
    return "".join(reversed(digits)) or "0"


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        ["0", "0"],
        ["5", "5"],
        ["12", "30"],
        ["999", "1"],
        ["", ""],
        ["123", "4567"],
        ["76", "48"],
        ["1", ""],
    ]
    holdout = [["9", "9"], ["", "99"], ["500", "500"], ["99999999999999999999", "1"]]
    for _ in range(80):
        a = str(rng.randint(0, 10 ** rng.randint(1, 12)))
        b = str(rng.randint(0, 10 ** rng.randint(1, 12)))
        holdout.append([a, b])
    return [(args, {}) for args in search + holdout]
