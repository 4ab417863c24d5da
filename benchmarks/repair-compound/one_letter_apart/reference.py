"""Reference for one_letter_apart: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def one_letter_apart(a, b):
    """Whether words a and b have the same length and differ in exactly one position."""
    if len(a) != len(b):
        return False
    diffs = 0
    for x, y in zip(a, b, strict=True):
        if x != y:
            diffs += 1
            if diffs > 1:
                return False
    return diffs == 1


WORDS = ["cat", "cot", "cog", "dog", "cold", "cord", "card", "ward", "warm", "word", "a", "b"]


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        ["cat", "cot"],
        ["cat", "cat"],
        ["cat", "cats"],
        ["", ""],
        ["cold", "cord"],
        ["abc", "xyz"],
        ["dog", "dog"],
        ["ab", "ba"],
    ]
    holdout = [["a", "a"], ["a", "b"], ["", "a"]]
    for _ in range(80):
        a = rng.choice(WORDS)
        if rng.random() < 0.4:
            i = rng.randrange(len(a))
            b = a[:i] + rng.choice("aeiotd") + a[i + 1 :]
        else:
            b = rng.choice(WORDS)
        holdout.append([a, b])
    return [(args, {}) for args in search + holdout]
