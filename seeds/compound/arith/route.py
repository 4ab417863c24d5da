"""Lengths of routes on a city grid."""


def _blocks(a, b):
    """Blocks walked from corner a to corner b: east-west, then north-south."""
    return b[0] - a[0] + abs(b[1] - a[1])


def route_length(points):
    """Blocks walked along a route through the grid corners [x, y] in `points`, in order."""
    total = 0
    for i in range(len(points) - 1):
        total += _blocks(points[i - 1], points[i])
    return total
