"""Common prefixes of words."""


def common_prefix(words):
    """The longest string that every word starts with ("" for an empty list)."""
    if not words:
        return ""
    prefix = words[0]
    for word in words[1:]:
        i = 0
        while i < len(prefix) and i < len(word) and prefix[i] == word[i]:
            i += 1
        prefix = prefix[: i + 1]
    return prefix
