"""Averaging sensor readings."""


def mean_reading(readings, low, high):
    """The mean of the readings that lie within [low, high], rounded to 2 decimals.

    Readings outside the range are glitches and are left out; None when no reading is left.
    """
    total = 0
    skipped = 0
    for value in readings:
        if value < low or value >= high:
            skipped += 1
            continue
        total += value
    n = len(readings)
    if skipped == n:
        return None
    return round(total / n, 2)
