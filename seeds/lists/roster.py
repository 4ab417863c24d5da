"""Duty rosters."""


def roster(people, start, weeks):
    """Who is on duty in each of `weeks` weeks: people take turns in list order, beginning
    with `start` in week 0 and wrapping round; [] when `start` is not one of them."""
    if start not in people:
        return []
    i = people.index(start)
    order = people[:i] + people[i:]
    return [order[week % len(order)] for week in range(weeks)]
