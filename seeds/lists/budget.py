"""Checking a shopping list against a budget."""


def total_cost(prices):
    """Sum of a list of prices."""
    total = 0
    for price in prices:
        total += price
    return total


def within_budget(prices, budget):
    """Whether the prices (non-negative integers) add up to at most budget."""
    return total_cost(prices) <= budget
