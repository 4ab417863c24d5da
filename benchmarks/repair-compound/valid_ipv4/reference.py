"""Reference for valid_ipv4: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def valid_ipv4(text):
    """Whether `text` is an IPv4 address: four decimal numbers from 0 to 255 separated by
    dots, without signs, spaces or leading zeros."""
    parts = text.split(".")
    for part in parts:
        if not part.isdigit() or len(part) > 3:
            return False
        if part[0] == "0" and len(part) > 1:
            return False
        if int(part) > 255:
            return False
    return len(parts) == 4


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        "192.168.0.1",
        "1.2.3",
        "255.255.255.255",
        "256.1.1.1",
        "1.2.3.4.5",
        "01.2.3.4",
        "",
        "10.0.0",
    ]
    holdout = ["0.0.0.0", "1", "1..2.3", "1.2.3.04", "a.b.c.d", "300.1.1", "8.8.8.8.8.8"]
    for _ in range(80):
        parts = []
        for _ in range(rng.choice([3, 4, 4, 4, 5])):
            roll = rng.random()
            if roll < 0.8:
                parts.append(str(rng.randint(0, 255)))
            elif roll < 0.9:
                parts.append(str(rng.randint(256, 999)))
            else:
                parts.append(rng.choice(["", "00", "07", "x", "-1", " 1"]))
        holdout.append(".".join(parts))
    return [([t], {}) for t in search + holdout]
