"""Reference for rle_decode: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random


def rle_decode(text):
    """Expand run-length encoded text: "3a2bc" -> "aaabbc", "12x" -> twelve x's.

    A count (one or more digits) repeats the character after it; a character without a
    count stands for itself.
    """
    out = []
    count = 0
    for ch in text:
        if ch.isdigit():
            count = count * 10 + int(ch)
        else:
            out.append(ch * max(count, 1))
            count = 0
    return "".join(out)


def _encoded(rng, runs):
    parts = []
    for _ in range(runs):
        n = rng.choice([1, 1, 2, 3, 4, 9, 10, 12, 25])
        ch = rng.choice("abcxyz-")
        parts.append(ch if n == 1 and rng.random() < 0.7 else f"{n}{ch}")
    return "".join(parts)


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        "",
        "a",
        "abc",
        "1a",
        "3a",
        "3a2bc",
        "a2b",
        "12x",
        "ab1c",
        "2a2a",
        "10z",
        "x-y",
        "4q1r",
        "hello",
    ]
    search += [_encoded(rng, rng.randint(2, 5)) for _ in range(2)]
    holdout = ["1a1b1c", "100a", "z", "9y9y"]
    holdout += [_encoded(rng, rng.randint(1, 7)) for _ in range(70)]
    return [([t], {}) for t in search + holdout]
