"""Reference for split_identifier: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def split_identifier(name):
    """The words of an identifier in camelCase, PascalCase or snake_case, lower-cased:
    "parseHttpRequest" -> ["parse", "http", "request"], "max_value" -> ["max", "value"].
    Every capital letter starts a word; underscores only separate words."""
    words = []
    word = ""
    for ch in name:
        if ch == "_" or ch.isupper():
            if word:
                words.append(word.lower())
            word = "" if ch == "_" else ch
        else:
            word += ch
    if word:
        words.append(word.lower())
    return words


PARTS = ["get", "value", "http", "max", "id", "x", "parse", "to", "json", "v2"]


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        "",
        "parseHttpRequest",
        "value_",
        "max_value",
        "__init__",
        "HTMLParser",
        "x",
        "snake_case_",
    ]
    holdout = ["_", "A", "aB", "a_b_c", "GetX"]
    for _ in range(80):
        words = [rng.choice(PARTS) for _ in range(rng.randint(1, 4))]
        style = rng.choice(["camel", "pascal", "snake"])
        if style == "snake":
            name = "_".join(words)
        else:
            name = "".join(w.capitalize() for w in words)
            if style == "camel":
                name = words[0] + name[len(words[0]) :]
        if rng.random() < 0.2:
            name = rng.choice(["_", "__"]) + name + rng.choice(["", "_"])
        holdout.append(name)
    return [([name], {}) for name in search + holdout]
