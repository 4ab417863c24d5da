"""Reference for find_recursive: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random


def _search(xs, target, lo, hi):
    """Index of target within xs[lo], ..., xs[hi], or -1."""
    if lo > hi:
        return -1
    mid = (lo + hi) // 2
    if xs[mid] == target:
        return mid
    if xs[mid] < target:
        return _search(xs, target, mid + 1, hi)
    return _search(xs, target, lo, mid - 1)


def find(xs, target):
    """Index of target in the ascending list xs of distinct numbers, or -1 if it is absent."""
    return _search(xs, target, 0, len(xs) - 1)


def _case(rng):
    xs = sorted(rng.sample(range(-50, 100), rng.randint(0, 20)))
    if xs and rng.random() < 0.7:
        return [xs, rng.choice(xs)]
    return [xs, rng.randint(-60, 110)]


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [[], 5],
        [[3], 3],
        [[3], 4],
        [[1, 2], 0],
        [[1, 2], 3],
        [[1, 2], 1],
        [[1, 2], 2],
        [[1, 3, 5, 7], 5],
        [[1, 3, 5, 7], 1],
        [[1, 3, 5, 7], 4],
        [[-9, -2, 0, 8, 30], 30],
        [[-9, -2, 0, 8, 30], -9],
    ]
    search += [_case(rng) for _ in range(4)]
    holdout = [[[7], 7], [[10, 20, 30], 20], [[10, 20, 30], 25]]
    holdout += [_case(rng) for _ in range(70)]
    return [(args, {}) for args in search + holdout]
