"""Reference for parse_duration: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def parse_duration(text):
    """The number of seconds in `text`: numbers each followed by a unit, d (days), h, m or s,
    optionally separated by spaces. None if the text is malformed or names an unknown unit."""
    units = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    total = 0
    number = ""
    for ch in text:
        if ch.isdigit():
            number += ch
        elif ch == " ":
            continue
        elif ch in units and number:
            total += int(number) * units[ch]
            number = ""
        else:
            return None
    if number:
        return None
    return total


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = ["90s", "1d", "1h30m", "", "1d 12h", "2h 5m 10s", "3x", "2d4h1s"]
    holdout = ["7d", "0d", "10", "h", "1w", "45m 1d", "1.5h", "3 d"]
    for _ in range(80):
        parts = []
        for unit in "dhms":
            if rng.random() < 0.5:
                parts.append(f"{rng.randint(0, 99)}{unit}")
        if rng.random() < 0.1:
            parts.append(rng.choice(["5", "m", "2y", "x"]))
        holdout.append(rng.choice(["", " "]).join(parts))
    return [([t], {}) for t in search + holdout]
