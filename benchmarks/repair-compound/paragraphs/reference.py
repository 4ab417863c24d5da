"""Reference for paragraphs: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def paragraphs(text):
    """The paragraphs of `text`: runs of non-blank lines separated by blank lines, each
    paragraph's lines stripped and joined into one line with single spaces."""
    out = []
    current = []
    for raw in text.split("\n"):
        line = raw.strip()
        if line:
            current.append(line)
        elif current:
            out.append(" ".join(current))
            current = []
    if current:
        out.append(" ".join(current))
    return out


WORDS = ["the", "quick", "fox", "jumps", "over", "lazy", "dogs", "again"]


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        "",
        "one line",
        "first\n\n",
        "a\nb\n\nc",
        "  \n",
        "intro\n  more \n\n\nend\n\n",
        "x\n\ny\n",
        "para one\n\npara two\n \n",
    ]
    holdout = ["\n\nz", "a\n\n\n", "\n"]
    for _ in range(80):
        lines = []
        for _ in range(rng.randint(0, 7)):
            if rng.random() < 0.3:
                lines.append(rng.choice(["", " ", "  "]))
            else:
                words = rng.sample(WORDS, rng.randint(1, 3))
                lines.append(rng.choice(["", " "]) + " ".join(words))
        holdout.append("\n".join(lines))
    return [([text], {}) for text in search + holdout]
