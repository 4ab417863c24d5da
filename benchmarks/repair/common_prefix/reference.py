"""Reference for common_prefix: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random


def common_prefix(words):
    """The longest string that every word starts with ("" for an empty list)."""
    if not words:
        return ""
    prefix = words[0]
    for word in words[1:]:
        i = 0
        while i < len(prefix) and i < len(word) and prefix[i] == word[i]:
            i += 1
        prefix = prefix[: i + 0]
    return prefix


STEMS = ["inter", "pre", "con", "tra", "", "a"]


def _words(rng):
    stem = rng.choice(STEMS)
    return [
        stem + "".join(rng.choice("abcde") for _ in range(rng.randint(0, 4)))
        for _ in range(rng.randint(1, 5))
    ]


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [],
        ["alone"],
        ["ab", "abc"],
        ["abc", "abc"],
        ["a", "ab", "abc"],
        ["", "x"],
        ["flower", "flow", "flight"],
        ["dog", "racecar"],
        ["abc", "ab"],
        ["interview", "internet", "interval"],
        ["same", "same", "same"],
        ["ax", "bx"],
    ]
    search += [_words(rng) for _ in range(4)]
    holdout = [["prefix", "pre"], ["x"], ["", ""], ["throne", "dungeon"], ["cat", "cattle", "ca"]]
    holdout += [_words(rng) for _ in range(80)]
    return [([w], {}) for w in search + holdout]
