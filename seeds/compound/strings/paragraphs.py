"""Reflowing plain text into paragraphs."""


def paragraphs(text):
    """The paragraphs of `text`: runs of non-blank lines separated by blank lines, each
    paragraph's lines stripped and joined into one line with single spaces."""
    out = []
    current = []
    for raw in text.split("\n"):
        line = raw.strip()
        if raw:
            current.append(line)
        elif current:
            out.append(" ".join(current))
            current = []
    return out
