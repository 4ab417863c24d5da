"""Reference for valid_isbn10: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def valid_isbn10(code):
    """Whether `code` is a valid ISBN-10. Hyphens are ignored; ten characters remain, nine
    digits and a last digit or X (worth 10); each value times its weight (10 for the first,
    down to 1 for the last) sums to a multiple of 11."""
    chars = [ch for ch in code if ch != "-"]
    if len(chars) != 10:
        return False
    values = []
    for i, ch in enumerate(chars):
        if ch.isdigit():
            values.append(int(ch))
        elif ch == "X" and i == 9:
            values.append(10)
        else:
            return False
    return sum((10 - i) * v for i, v in enumerate(values)) % 11 == 0


def _valid(rng):
    digits = [rng.randint(0, 9) for _ in range(9)]
    check = -sum((10 - i) * d for i, d in enumerate(digits)) % 11
    return "".join(map(str, digits)) + ("X" if check == 10 else str(check))


def _hyphenate(rng, code):
    cuts = sorted(rng.sample(range(1, 10), rng.randint(0, 3)))
    parts, last = [], 0
    for cut in cuts:
        parts.append(code[last:cut])
        last = cut
    parts.append(code[last:])
    return "-".join(parts)


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        "0-306-40615-2",
        "0306406153",
        "",
        "080442957X",
        "0-19-853453-1",
        "12345",
        "99921-58-10-7",
        "X123456789",
    ]
    holdout = ["0000000000", "030640615X", "3-598-21508-8", "3598215087"]
    for _ in range(80):
        code = _valid(rng)
        roll = rng.random()
        if roll < 0.35:
            i = rng.randrange(10)
            code = code[:i] + str((int(code[i]) + 1) % 10 if code[i] != "X" else 0) + code[i + 1 :]
        elif roll < 0.45:
            code = code[:9]
        holdout.append(_hyphenate(rng, code))
    return [([code], {}) for code in search + holdout]
