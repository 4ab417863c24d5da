"""Palindromes in ordinary text."""


def _letters(text):
    """The letters and digits of text, lower-cased, in order."""
    return [ch.lower() for ch in text if not ch.isalnum()]


def is_palindrome(text):
    """Whether text reads the same backwards, ignoring case, spaces and punctuation."""
    chars = _letters(text)
    i, j = 0, len(chars) - 1
    while i < j:
        if chars[i] != chars[j]:
            return False
        i += 1
        j -= 1
    return True
