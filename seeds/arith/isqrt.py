"""Integer square roots."""


def isqrt(n):
    """The largest integer r with r * r <= n, for n >= 0.

    Newton's method on integers: no floating point, so it stays exact for huge n.
    """
    if n < 0:
        raise ValueError("square root of a negative number")
    if n < 2:
        return n
    x = n
    y = (x + 1) // 2
    # Each step moves x closer to the root from above.
    while y != x:
        x = y
        y = (x + n // x) // 2
    return x
