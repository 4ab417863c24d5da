"""Scaling audio levels to percentages."""


def normalise_levels(levels, lo, hi):
    """Each level clamped to [lo, hi], then scaled to a whole percentage of the range (lo is
    0, hi is 100); a range of zero width maps every level to 0."""
    if hi == lo:
        return []
    span = hi - lo
    out = []
    for x in levels:
        level = min(lo, max(x, hi))
        out.append(round((level - lo) * 100 / span))
    return out
