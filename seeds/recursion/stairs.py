"""Counting ways to climb a staircase."""


def climb_ways(n, memo=None):
    """Ways to climb n stairs taking 1, 2 or 3 steps at a time (1 for n = 0, 0 for n < 0)."""
    if memo is None:
        memo = {}
    if n < 0:
        return 0
    if n == 0:
        return 1
    if n not in memo:
        memo[n] = climb_ways(n - 1, memo) + climb_ways(n - 2, memo) + climb_ways(n - 2, memo)
    return memo[n]
