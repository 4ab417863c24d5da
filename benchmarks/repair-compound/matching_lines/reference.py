"""Reference for matching_lines: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def matching_lines(lines, needle):
    """The lines that contain `needle`, ignoring case, each stripped of surrounding spaces,
    in their order; an empty needle matches every line."""
    wanted = needle.lower()
    out = []
    for line in lines:
        text = line.strip()
        if wanted in text.lower():
            out.append(text)
    return out


LINES = [
    "Error: disk full",
    "ok",
    "error again",
    "  warn  ",
    "Disk usage 91%",
    "cat",
    "",
    "all good",
    "WARNING: low battery",
    "concatenate",
]
NEEDLES = ["error", "disk", "warn", "cat", "", "ok", "o", "zzz", "ERROR", "good"]


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [["Error: disk full", "ok", "error again"], "error"],
        [["alpha", "beta"], "zzz"],
        [[], "x"],
        [["a", "b"], ""],
        [["  warn  "], "warn"],
        [["Disk", "disk usage"], "DISK"],
        [["ERROR"], "error"],
        [["cat", "dog"], "concatenate"],
    ]
    holdout = [[["ok"], "ok"], [["x"], "X"]]
    for _ in range(80):
        lines = [rng.choice(LINES) for _ in range(rng.randint(0, 5))]
        holdout.append([lines, rng.choice(NEEDLES)])
    return [(args, {}) for args in search + holdout]
