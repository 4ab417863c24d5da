"""Reference for max_window_sum: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random


def max_window_sum(xs, k):
    if k <= 0 or len(xs) < k:
        return None
    window = sum(xs[:k])
    best = window
    for i in range(k, len(xs)):
        window += xs[i] - xs[i - k]
        if window > best:
            best = window
    return best


def _numbers(rng: random.Random, low: int, high: int) -> list[int]:
    return [rng.randint(-20, 20) for _ in range(rng.randint(low, high))]


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [[1, 2, 3, 10], 2],
        [[5, 1, 1, 1], 2],
        [[], 1],
        [[3], 1],
        [[1, 2], 1],
        [[4, -1, 2], 0],
        [[-5, -2, -9, -1], 2],
        [[2, 2, 2, 9], 4],
        [[1, 2, 3], 4],
        [[0, 0, 0, 0, 7], 3],
    ]
    search += [[_numbers(rng, 3, 10), rng.randint(1, 3)] for _ in range(6)]
    holdout = [
        [[], 0],
        [[7], 2],
        [[9, 9], 2],
        [[1, 1, 1, 100], 1],
        [[-3, -2, -1], 1],
        [[6, -10, 6], 1],
        [[1, 2, 3, 4, 5, 6], 6],
        [[1, 2, 3, 4, 5, 6], 5],
    ]
    for _ in range(60):
        xs = _numbers(rng, 0, 14)
        if xs and rng.random() < 0.3:
            xs[-1] = 40  # make the last window the best one
        holdout.append([xs, rng.randint(-1, len(xs) + 1)])
    return [(args, {}) for args in search + holdout]
