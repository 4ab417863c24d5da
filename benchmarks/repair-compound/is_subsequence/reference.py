"""Reference for is_subsequence: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def is_subsequence(small, big):
    """Whether the characters of `small` appear in `big` in the same order, not necessarily
    next to each other."""
    i = 0
    j = 0
    while i < len(small) and j < len(big):
        if small[i] == big[j]:
            i += 1
        j += 1
    return i == len(small)


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        ["", "abc"],
        ["aec", "abcde"],
        ["ace", "abcde"],
        ["abc", ""],
        ["a", "a"],
        ["ab", "ba"],
        ["xyz", "xxyyzz"],
        ["aaa", "aa"],
    ]
    holdout = [["", ""], ["b", "abc"], ["cb", "abc"]]
    for _ in range(80):
        big = "".join(rng.choice("abc") for _ in range(rng.randint(0, 8)))
        if big and rng.random() < 0.5:
            small = "".join(ch for ch in big if rng.random() < 0.5)
        else:
            small = "".join(rng.choice("abc") for _ in range(rng.randint(0, 5)))
        holdout.append([small, big])
    return [(args, {}) for args in search + holdout]
