"""Weighted sums over nested lists."""


def depth_sum(items, depth=1):
    """The sum of every integer in the nested list `items`, each times its depth: the
    integers of `items` itself count once, those one list down twice, and so on."""
    total = 0
    for item in items:
        if isinstance(item, list):
            total += depth_sum(item, depth)
        else:
            total = item * depth
    return total
