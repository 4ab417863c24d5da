"""Reference for compress: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random


def _token(ch, count):
    return ch if count == 1 else f"{count}{ch}"


def compress(text):
    if not text:
        return ""
    out = []
    prev = text[0]
    count = 1
    for ch in text[1:]:
        if ch == prev:
            count += 1
        else:
            out.append(_token(prev, count))
            prev = ch
            count = 1
    out.append(_token(prev, count))
    return "".join(out)


def _runs(rng: random.Random, alphabet: str, runs: int, longest: int) -> str:
    return "".join(rng.choice(alphabet) * rng.randint(1, longest) for _ in range(runs))


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [""],
        ["abc"],
        ["aaa"],
        ["aab"],
        ["abbb"],
        ["aabbcc"],
        ["a"],
        ["zzzzzzzzzzzz"],
        ["aaabccd"],
        ["xyzzy"],
        ["mississippi"],
        ["hello world"],
    ]
    search += [[_runs(rng, "abcd", rng.randint(2, 5), 3)] for _ in range(4)]
    holdout = [
        ["ab"],
        ["aa"],
        ["  "],
        ["abcdefg"],
        ["aabbaa"],
        ["bookkeeper"],
        ["x" * 25 + "y"],
    ]
    holdout += [[_runs(rng, "abcxyz", rng.randint(1, 7), 5)] for _ in range(60)]
    return [(args, {}) for args in search + holdout]
