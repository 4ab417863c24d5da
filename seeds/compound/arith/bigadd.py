"""Adding numbers written as decimal strings."""


def add_decimal(a, b):
    """The sum of two non-negative integers written as decimal strings, as a decimal string.

    Digits are added from the right with a carry; an empty string counts as 0.
    """
    digits = []
    carry = 0
    i, j = len(a) - 1, len(b) - 1
    while i >= 0 and j >= 0:
        total = carry
        if i >= 0:
            total += int(a[i])
            i -= 1
        if j >= 0:
            total += int(b[j])
            j -= 1
        digits.append(str(total % 10))
        carry = total // 10
    return "".join(reversed(digits)) or "0"
