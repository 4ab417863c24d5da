"""Day numbers within a year."""


def _is_leap(year):
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def day_of_year(year, month, day):
    """The date's number within its year: 1 for January 1st, 365 (366) for December 31st."""
    lengths = [31, 28, 31, 30, 31, 30, 31, 30, 31, 30, 31]
    if _is_leap(year):
        lengths[2] = 29
    return sum(lengths[: month - 1]) + day
