"""Merging sorted lists."""


def merge_sorted(a, b):
    """One ascending list holding every element of the ascending lists a and b."""
    out = []
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i] <= b[j]:
            out.append(a[i])
            i += 1
        else:
            out.append(b[i])
            j += 1
    out.extend(a[i:])
    out.extend(b[j:])
    return out
