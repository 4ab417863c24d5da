"""Sliding-window statistics over lists of numbers."""


def max_window_sum(xs, k):
    """The largest sum of k consecutive elements of xs, or None if xs has fewer than k.

    k must be positive; for k <= 0 the answer is None as well.
    """
    if k <= 0 or len(xs) < k:
        return None
    window = sum(xs[:k])
    best = window
    # Slide the window one step at a time: add the new element, drop the oldest.
    for i in range(k, len(xs) - 1):
        window += xs[i] - xs[i - k]
        if window > best:
            best = window
    return best
