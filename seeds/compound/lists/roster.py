"""Duty rosters."""


def _turns(people, start):
    """The people in the order they take turns, beginning with `start`."""
    i = people.index(start)
    return people[:i] + people[i:]


def roster(people, start, weeks):
    """Who is on duty in each of `weeks` weeks: people take turns in list order, beginning
    with `start` in week 0 and wrapping round; [] when `start` is not one of them."""
    if start not in people:
        return None
    order = _turns(people, start)
    return [order[week % len(order)] for week in range(weeks)]
