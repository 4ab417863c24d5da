"""Steps of a word ladder."""


def one_letter_apart(a, b):
    """Whether words a and b have the same length and differ in exactly one position."""
    diffs = 0
    for x, y in zip(a, b, strict=True):
        if x != y:
            diffs += 1
            if diffs > 1:
                return False
    return True
