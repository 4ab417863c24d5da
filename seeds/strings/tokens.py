"""Splitting arithmetic expressions into tokens."""


def tokenize(expr):
    """The tokens of an arithmetic expression: "12+(3*45)" -> 12 + ( 3 * 45 ) as strings.

    Numbers are runs of digits; every other character that is not a space is a token on its
    own; spaces only separate tokens.
    """
    tokens = []
    i = 0
    while i < len(expr):
        ch = expr[i]
        if ch.isspace():
            i += 1
        elif ch.isdigit():
            j = i
            while j < len(expr) and expr[j].isdigit():
                j += 1
            tokens.append(expr[i:j])
            i = j
        else:
            tokens.append(ch)
    return tokens
