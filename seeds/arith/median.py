"""Medians of numbers."""


def median(xs):
    """Median of a non-empty list of numbers.

    The middle value of the sorted list, or the mean of the two middle values when the
    count is even.
    """
    s = sorted(xs)
    n = len(s)
    mid = n // 2
    if n % 2 == 1:
        return s[mid]
    return (s[mid] + s[mid + 1]) / 2
