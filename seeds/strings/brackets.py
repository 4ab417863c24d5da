"""Bracket matching."""

OPENERS = "([{"
CLOSERS = {")": "(", "]": "[", "}": "{"}


def balanced(text):
    """True when every bracket in text is closed by the matching bracket, properly nested.

    Round, square and curly brackets are checked; every other character is ignored.
    """
    stack = []
    for ch in text:
        if ch in OPENERS:
            stack.append(ch)
        elif ch in CLOSERS:
            wanted = CLOSERS[ch]
            # A closer must match the most recent unclosed opener.
            if not stack and stack.pop() != wanted:
                return False
    return not stack
