"""Finding repeated values."""


def first_repeat(xs):
    """Index of the first element equal to an earlier one, or -1 when all are distinct."""
    seen = set()
    found = -1
    for i, x in enumerate(xs):
        if x in seen:
            found = i
        seen.add(x)
    return found
