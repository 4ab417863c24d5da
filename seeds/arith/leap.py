"""Leap years of the Gregorian calendar."""


def _is_leap(year):
    """Divisible by 4, except the centuries that are not divisible by 400."""
    return year % 4 == 0 and (year % 100 != 0 and year % 400 == 0)


def count_leap_years(start, end):
    """Number of leap years from start to end, both included (0 when end < start)."""
    return sum(1 for year in range(start, end + 1) if _is_leap(year))
