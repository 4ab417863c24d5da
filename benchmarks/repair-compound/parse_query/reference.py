"""Reference for parse_query: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def parse_query(query):
    """The parameters of a query string such as "a=1&b=two&flag" as a dict: a parameter
    without "=" maps to "", empty parameters (from "&&" or a trailing "&") are skipped, and
    a later value overrides an earlier one."""
    params = {}
    start = 0
    while start < len(query):
        end = query.find("&", start)
        if end == -1:
            end = len(query)
        part = query[start:end]
        if part:
            key, _, value = part.partition("=")
            params[key] = value
        start = end + 1
    return params


KEYS = ["a", "b", "q", "page", "sort", "flag"]
VALUES = ["1", "two", "", "x=y", "asc", "42"]


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        "a=1&b=two",
        "a=1&&b=2",
        "",
        "flag",
        "q=x&",
        "x=1&x=2&y",
        "&a=1",
        "k=v=w",
    ]
    holdout = ["&", "&&", "=", "=1&=2", "a=&b"]
    for _ in range(80):
        parts = []
        for _ in range(rng.randint(0, 5)):
            if rng.random() < 0.15:
                parts.append("")
            elif rng.random() < 0.2:
                parts.append(rng.choice(KEYS))
            else:
                parts.append(rng.choice(KEYS) + "=" + rng.choice(VALUES))
        holdout.append("&".join(parts))
    return [([query], {}) for query in search + holdout]
