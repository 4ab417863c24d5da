"""Run-length encoding of text."""


def _token(ch, count):
    """One run: the character alone, or preceded by its count when it repeats."""
    return ch if count == 1 else f"{count}{ch}"


def compress(text):
    """Run-length encode text: "aaabccd" -> "3ab2cd".

    Each run of a repeated character becomes its length followed by the character; a
    character that does not repeat is kept as it is.
    """
    if not text:
        return ""
    out = []
    prev = text[0]
    count = 1
    for ch in text[1:]:
        if ch == prev:
            count += 1
        else:
            out.append(_token(prev, count))
            prev = ch
    # Flush the last run.
    out.append(_token(prev, count))
    return "".join(out)
