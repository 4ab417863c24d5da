"""Answering many range-sum queries with prefix sums."""


def _prefix_sums(xs):
    """prefix[i] is the sum of xs[:i]; one longer than xs."""
    prefix = [0]
    for x in xs:
        prefix.append(prefix[-1] + x)
    return prefix


def range_sums(xs, queries):
    """For each query [lo, hi], the sum of xs[lo:hi] (non-negative bounds, read as a slice)."""
    prefix = _prefix_sums(xs)
    n = len(xs)
    out = []
    for lo, hi in queries:
        lo = min(lo, n)
        hi = min(max(hi, lo), n - 1)
        out.append(prefix[hi])
    return out
