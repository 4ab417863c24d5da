"""Reference for parse_settings: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def parse_settings(text, sep):
    """The settings in `text` as a dict: one "key<sep>value" a line, key and value stripped.

    Blank lines, lines starting with "#" and lines without `sep` are skipped; a later line
    overrides an earlier one; the value is everything after the first `sep`.
    """
    settings = {}
    for raw in text.split("\n"):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cut = line.find(sep)
        if cut == -1:
            continue
        settings[line[:cut].strip()] = line[cut + len(sep) :].strip()
    return settings


KEYS = ["host", "port", "user", "mode", "retries", "path"]
VALUES = ["localhost", "8080", "ann", "fast", "3", "tmp", "on", ""]
SEPARATORS = ["=", ":", "=>", ":=", "->", "::", "==>", "|"]


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        ["a=1\nb=2", "="],
        ["x => 10\ny => 20", "=>"],
        ["# comment\n\nname : evolve\n", ":"],
        ["path := tmp\nmode := fast", ":="],
        ["", "="],
        ["a -> b\nnot a pair\nc -> d", "->"],
        ["k=v=w", "="],
        ["host::localhost\nport::80", "::"],
    ]
    holdout = [["a==>b", "==>"], ["x|y|z", "|"], ["  # a=1\nb = 2  ", "="]]
    for _ in range(80):
        sep = rng.choice(SEPARATORS)
        lines = []
        for _ in range(rng.randint(0, 5)):
            roll = rng.random()
            if roll < 0.1:
                lines.append("# " + rng.choice(KEYS))
            elif roll < 0.2:
                lines.append(rng.choice(["", "   ", rng.choice(VALUES)]))
            else:
                pad = rng.choice(["", " "])
                lines.append(rng.choice(KEYS) + pad + sep + pad + rng.choice(VALUES))
        holdout.append(["\n".join(lines), sep])
    return [(args, {}) for args in search + holdout]
