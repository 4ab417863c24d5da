"""Recursive binary search."""


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
    return _search(xs, target, len(xs) - 1, 0)
