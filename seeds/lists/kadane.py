"""Maximum subarray sums."""


def max_subarray_sum(xs):
    """The largest sum of a non-empty run of consecutive elements of the non-empty list xs."""
    best = current = xs[0]
    for x in xs[1:]:
        current = max(x, current + x)
        best = max(best, current)
    return best
