"""Calendar arithmetic on working days."""


def add_business_days(start, days, holidays):
    """The day number `days` business days after day `start`. Days count from 0, a Monday,
    so day d is a weekend day when d % 7 is 5 or 6; `holidays` are not business days
    either. Zero business days after a day is that day itself."""
    closed = set(holidays)
    day = start
    added = 0
    while added < days:
        if day % 7 > 5 or day in closed:
            continue
        added += 1
        day += 1
    return day
