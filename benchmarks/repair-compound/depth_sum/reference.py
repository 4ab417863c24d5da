"""Reference for depth_sum: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def depth_sum(items, depth=1):
    """The sum of every integer in the nested list `items`, each times its depth: the
    integers of `items` itself count once, those one list down twice, and so on."""
    total = 0
    for item in items:
        if isinstance(item, list):
            total += depth_sum(item, depth + 1)
        else:
            total += item * depth
    return total


def _nested(rng, depth):
    out = []
    for _ in range(rng.randint(0, 4)):
        if depth < 4 and rng.random() < 0.35:
            out.append(_nested(rng, depth + 1))
        else:
            out.append(rng.randint(-5, 9))
    return out


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [],
        [[1]],
        [1, 2, 3],
        [1, [4, [6]]],
        [5, -5],
        [[1, 1], 2, [1, 1]],
        [[], 3],
        [[[[2]]]],
    ]
    holdout = [[[]], [[[], [[]]]], [0, [0, [7]]]]
    holdout += [_nested(rng, 1) for _ in range(80)]
    return [([items], {}) for items in search + holdout]
