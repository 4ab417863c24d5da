"""Values above the average."""


def _mean(xs):
    """Arithmetic mean of a non-empty list."""
    total = 0
    for x in xs:
        total += x
    return total / len(xs)


def above_average(xs):
    """The values of xs that are greater than the mean of xs, in their order."""
    out = []
    for x in xs:
        if x > _mean(xs):
            out.append(x)
    return out
