"""Searching a list for a pair of values."""


def first_pair_with_sum(xs, target):
    """Indices [i, j], i < j, of the first pair whose values add up to target, or None.

    "First" means smallest i, then smallest j: the pair a left-to-right scan meets first.
    """
    found = None
    for i in range(len(xs)):
        for j in range(i + 1, len(xs)):
            # Keep the earliest pair only.
            if found is None and xs[i] + xs[j] == target:
                found = [i, j]
    return found
