"""Reference for within_budget: a correct, faster program and the inputs of its cases.

The seed is correct too; this version does less work."""

from __future__ import annotations

import random


def total_cost(prices):
    """Sum of a list of prices."""
    return sum(prices)


def within_budget(prices, budget):
    """Whether the prices (non-negative integers) add up to at most budget."""
    return total_cost(prices) <= budget


def _case(rng, n):
    prices = [rng.randint(0, 50) for _ in range(n)]
    return [prices, sum(prices) + rng.randint(-30, 30)]


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    # Long lists, so that the per-call overhead does not hide the loop's cost: with a few
    # dozen prices the builtin is only about 1.5x faster in a timed run, with hundreds 3-4x.
    search = [[[], 0], [[5], 4], [[5], 5], [[1, 2, 3], 6], [[1, 2, 3], 5]]
    search += [_case(rng, rng.randint(200, 400)) for _ in range(11)]
    holdout = [[[0, 0], 0], [[10], -1]]
    holdout += [_case(rng, rng.randint(0, 400)) for _ in range(60)]
    return [(args, {}) for args in search + holdout]
