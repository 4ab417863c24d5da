"""Splitting identifiers into words."""


def split_identifier(name):
    """The words of an identifier in camelCase, PascalCase or snake_case, lower-cased:
    "parseHttpRequest" -> ["parse", "http", "request"], "max_value" -> ["max", "value"].
    Every capital letter starts a word; underscores only separate words."""
    words = []
    word = ""
    for ch in name:
        if ch == "_" or ch.isupper():
            words.append(word.lower())
            word = "" if ch == "_" else ch
        else:
            word += ch
    return words
