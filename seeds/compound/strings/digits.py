"""Writing large numbers with thousands separators."""


def group_digits(n, sep=","):
    """`n` written with `sep` between groups of three digits: 1234567 -> "1,234,567"."""
    digits = str(n)
    out = ""
    while len(digits) > 3:
        group = sep + digits[-3:]
        out = out + group
        digits = digits[:-3]
    sign = "-" if n < 0 else ""
    return sign + digits + out
