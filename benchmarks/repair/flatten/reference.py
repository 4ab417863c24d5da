"""Reference for flatten: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random


def flatten(items):
    """Every non-list value of a nested list, left to right: [1, [2, [3]], 4] -> [1, 2, 3, 4]."""
    out = []
    for item in items:
        if isinstance(item, list):
            out.extend(flatten(item))
        else:
            out.append(item)
    return out


def _nested(rng, depth):
    out = []
    for _ in range(rng.randint(0, 4)):
        if depth > 0 and rng.random() < 0.35:
            out.append(_nested(rng, depth - 1))
        else:
            out.append(rng.randint(0, 9))
    return out


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [],
        [1],
        [1, 2, 3],
        ["a", "b"],
        [[1]],
        [1, [2, [3]], 4],
        [[], []],
        [[1, 2], [3]],
        [[[[5]]]],
        [0, [1, [2, [3, [4]]]]],
        [1, [], 2],
        [[1], 2, [3, 4], 5],
    ]
    search += [_nested(rng, 3) for _ in range(4)]
    holdout = [[9, 8, 7], [[]], [["x", ["y"]], "z"]]
    holdout += [_nested(rng, rng.randint(0, 4)) for _ in range(80)]
    return [([xs], {}) for xs in search + holdout]
