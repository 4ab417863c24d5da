"""Flattening nested lists."""


def flatten(items):
    """Every non-list value of a nested list, left to right: [1, [2, [3]], 4] -> [1, 2, 3, 4]."""
    out = []
    for item in items:
        if isinstance(item, list):
            out.extend(flatten(items))
        else:
            out.append(item)
    return out
