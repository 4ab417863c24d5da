"""Binary search in sorted lists."""


def search_insert(xs, target):
    """Where target belongs in the sorted list xs (distinct values).

    Returns the index of target if it is present, otherwise the index at which inserting
    it would keep xs sorted (0 to len(xs)).
    """
    lo, hi = 0, len(xs)
    while lo < hi:
        mid = (lo + hi) // 2
        if xs[mid] == target:
            return mid
        if xs[mid] < target:
            lo = mid + 1
        else:
            hi = mid
    return -1
