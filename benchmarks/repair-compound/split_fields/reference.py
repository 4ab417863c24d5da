"""Reference for split_fields: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def split_fields(line):
    """The fields of `line`, separated by commas, semicolons or tabs, each stripped of
    surrounding spaces; empty fields are kept, so "a,,b" has three fields."""
    separators = {",", ";", "\t"}
    fields = []
    current = ""
    for ch in line:
        if ch in separators:
            fields.append(current.strip())
            current = ""
        else:
            current += ch
    fields.append(current.strip())
    return fields


WORDS = ["ann", "42", "x y", "3.5", "", "Main St", "ok"]


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        "",
        "a,b,c",
        "1;2;3",
        " name , age ,city ",
        "a, b; c",
        "x\ty\tz",
        "key;value\tnote",
        ",,",
    ]
    holdout = [";", "a;", "\t;,"]
    for _ in range(80):
        fields = [rng.choice(WORDS) for _ in range(rng.randint(1, 5))]
        line = fields[0]
        for field in fields[1:]:
            line += rng.choice(["", " "]) + rng.choice(",;;\t") + rng.choice(["", " "]) + field
        holdout.append(line)
    return [([line], {}) for line in search + holdout]
