"""Smoothing a series with a moving average."""


def moving_average(xs, k):
    """The mean of every window of k consecutive values of xs, in order, rounded to 3
    decimals. A series shorter than k has no window, and neither has a k below 1."""
    if k < 1:
        return []
    out = []
    window = sum(xs[:k])
    for i in range(len(xs)):
        if i > 0:
            window += xs[i + k - 1] - xs[i]
        out.append(round(window / k, 3))
    return out
