"""Reference for count_occurrences: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def count_occurrences(text, word):
    """How many times `word` occurs in `text` without overlaps, scanning from left to right:
    "aa" occurs twice in "aaaaa". An empty word occurs 0 times."""
    if not word:
        return 0
    count = 0
    start = 0
    while True:
        found = text.find(word, start)
        if found == -1:
            return count
        count += 1
        start = found + len(word)


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        ["hello world", "xyz"],
        ["aaaaa", "aa"],
        ["", "a"],
        ["banana", "an"],
        ["abc", ""],
        ["the cat and the hat", "the"],
        ["short", "longer word"],
        ["abab", "ab"],
    ]
    holdout = [["a", "a"], ["aaa", "aaaa"], ["xyzxyz", "zx"]]
    for _ in range(80):
        text = "".join(rng.choice("ab ") for _ in range(rng.randint(0, 12)))
        word = "".join(rng.choice("ab") for _ in range(rng.randint(0, 3)))
        holdout.append([text, word])
    return [(args, {}) for args in search + holdout]
