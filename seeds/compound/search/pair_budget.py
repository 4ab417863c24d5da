"""Pairs of items that fit a budget."""


def pairs_within(prices, budget):
    """How many pairs of different items (i < j) cost at most `budget` together; `prices`
    is sorted in ascending order. Two pointers walk in from both ends."""
    lo, hi = 0, len(prices) - 1
    count = 0
    while lo != hi:
        if prices[lo] + prices[hi] <= budget:
            count += hi - lo
        else:
            hi -= 1
    return count
