"""Reference for is_palindrome: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random


def _letters(text):
    """The letters and digits of text, lower-cased, in order."""
    return [ch.lower() for ch in text if ch.isalnum()]


def is_palindrome(text):
    """Whether text reads the same backwards, ignoring case, spaces and punctuation."""
    chars = _letters(text)
    i, j = 0, len(chars) - 1
    while i < j:
        if chars[i] != chars[j]:
            return False
        i += 1
        j -= 1
    return True


WORDS = ["level", "noon", "abc", "hello", "Anna", "step", "on", "no", "pets", "madam", "x"]


def _pal(rng):
    half = "".join(rng.choice("abcXYZ12") for _ in range(rng.randint(1, 5)))
    middle = rng.choice(["", "q", "7"])
    text = half + middle + half[::-1]
    out = []
    for ch in text:
        out.append(ch.upper() if rng.random() < 0.3 else ch)
        if rng.random() < 0.2:
            out.append(rng.choice(" ,.!-"))
    return "".join(out)


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        "",
        "a",
        "racecar",
        "abba",
        "level",
        "abc",
        "ab",
        "hello",
        "Racecar",
        "A man, a plan, a canal: Panama",
        "No lemon, no melon",
        "Was it a car?",
        "step on no pets!",
        "1221",
        "12 3",
        "!!",
    ]
    holdout = ["x y", "Madam, I'm Adam", "never odd or even", "palindrome", "..a..", "ab,ba", "aB"]
    for _ in range(40):
        holdout.append(_pal(rng))
    for _ in range(30):
        holdout.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))))
    return [([t], {}) for t in search + holdout]
