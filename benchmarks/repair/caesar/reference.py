"""Reference for caesar: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random
import string


def _shift_letter(ch, base, shift):
    return chr(base + (ord(ch) - base + shift) % 26)


def caesar(text, shift):
    out = []
    for ch in text:
        if "a" <= ch <= "z":
            out.append(_shift_letter(ch, ord("a"), shift))
        elif "A" <= ch <= "Z":
            out.append(_shift_letter(ch, ord("A"), shift))
        else:
            out.append(ch)
    return "".join(out)


def _text(rng: random.Random, alphabet: str) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 16)))


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    lower = string.ascii_lowercase + "  ,.!"
    mixed = string.ascii_letters + "  ,.!0123456789"
    search = [
        ["hello", 3],
        ["Hello", 3],
        ["", 5],
        ["123 !?", 7],
        ["xyz", 4],
        ["ABC", -1],
        ["abc", 52],
        ["Zebra crossing", 1],
        ["attack at dawn", 13],
        ["MiXeD", 0],
    ]
    search += [[_text(rng, lower), rng.randint(-30, 30)] for _ in range(3)]
    search += [[_text(rng, mixed), rng.randint(-30, 30)] for _ in range(3)]
    holdout = [
        ["Z", 1],
        ["a", -1],
        ["The Quick Brown Fox", 26],
        ["uvwxyz", -27],
        ["Hello, World!", 7],
        ["tab\tand\nnewline", 2],
        ["ABCDEFGHIJKLMNOPQRSTUVWXYZ", 25],
    ]
    holdout += [
        [_text(rng, rng.choice([lower, mixed, string.ascii_uppercase])), rng.randint(-60, 60)]
        for _ in range(60)
    ]
    return [(args, {}) for args in search + holdout]
