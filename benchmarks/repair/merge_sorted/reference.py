"""Reference for merge_sorted: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random


def merge_sorted(a, b):
    """One ascending list holding every element of the ascending lists a and b."""
    out = []
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i] <= b[j]:
            out.append(a[i])
            i += 1
        else:
            out.append(b[j])
            j += 1
    out.extend(a[i:])
    out.extend(b[j:])
    return out


def _sorted(rng, n):
    return sorted(rng.randint(0, 30) for _ in range(n))


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [[], []],
        [[1], []],
        [[], [1]],
        [[1, 2], [3, 4]],
        [[1, 2, 3], [5]],
        [[1, 1], [1]],
        [[3], [1]],
        [[2, 4], [1, 3]],
        [[1, 5, 9], [2, 3, 10]],
        [[5, 6], [1, 2]],
        [[0], [0, 0]],
        [[1, 2, 3], [3, 4, 5]],
    ]
    search += [[_sorted(rng, rng.randint(1, 6)), _sorted(rng, rng.randint(1, 6))] for _ in range(4)]
    holdout = [[[7], [7]], [[-3, 0], [-5, 10]]]
    holdout += [
        [_sorted(rng, rng.randint(0, 9)), _sorted(rng, rng.randint(0, 9))] for _ in range(70)
    ]
    return [(args, {}) for args in search + holdout]
