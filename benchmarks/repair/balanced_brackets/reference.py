"""Reference for balanced_brackets: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

OPENERS = "([{"
CLOSERS = {")": "(", "]": "[", "}": "{"}
PAIRS = ["()", "[]", "{}"]


def balanced(text):
    stack = []
    for ch in text:
        if ch in OPENERS:
            stack.append(ch)
        elif ch in CLOSERS:
            wanted = CLOSERS[ch]
            if not stack or stack.pop() != wanted:
                return False
    return not stack


def _nested(rng: random.Random, depth: int) -> str:
    """A balanced bracket string with some letters in between."""
    if depth == 0:
        return rng.choice(["", "x", "ab", "1"])
    pair = rng.choice(PAIRS)
    inner = _nested(rng, depth - 1)
    return pair[0] + inner + pair[1] + _nested(rng, rng.randint(0, depth - 1))


def _noise(rng: random.Random) -> str:
    return "".join(rng.choice("()[]{}ab") for _ in range(rng.randint(1, 10)))


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [""],
        ["abc"],
        ["()"],
        ["([]{})"],
        ["(]"],
        [")("],
        ["(("],
        ["f(x[1]) {y}"],
        ["{[("],
        ["([)]"],
        ["print('hi')"],
        ["]"],
    ]
    search += [[_nested(rng, 3)] for _ in range(2)]
    search += [[_noise(rng)] for _ in range(2)]
    holdout = [
        ["{}"],
        ["[[]]"],
        ["())"],
        ["(()"],
        ["}{"],
        ["a(b)c]"],
        ["no brackets here"],
        ["{[()()]}"],
    ]
    for _ in range(60):
        text = _nested(rng, rng.randint(1, 4)) if rng.random() < 0.5 else _noise(rng)
        holdout.append([text])
    return [(args, {}) for args in search + holdout]
