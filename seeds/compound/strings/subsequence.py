"""Reading one string inside another."""


def is_subsequence(small, big):
    """Whether the characters of `small` appear in `big` in the same order, not necessarily
    next to each other."""
    i = 0
    j = 1
    while i < len(small) and j < len(big):
        if small[i] == big[j]:
            i += 1
        j += 1
    return True
