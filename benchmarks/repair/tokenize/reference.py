"""Reference for tokenize: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random


def tokenize(expr):
    """The tokens of an arithmetic expression: "12+(3*45)" -> 12 + ( 3 * 45 ) as strings.

    Numbers are runs of digits; every other character that is not a space is a token on its
    own; spaces only separate tokens.
    """
    tokens = []
    i = 0
    while i < len(expr):
        ch = expr[i]
        if ch.isspace():
            i += 1
        elif ch.isdigit():
            j = i
            while j < len(expr) and expr[j].isdigit():
                j += 1
            tokens.append(expr[i:j])
            i = j
        else:
            tokens.append(ch)
            i += 1
    return tokens


def _expr(rng, terms):
    out = []
    for k in range(terms):
        if k:
            out.append(rng.choice("+-*/"))
        number = str(rng.randint(0, 999))
        out.append(f"({number})" if rng.random() < 0.2 else number)
    return "".join(ch + (" " if rng.random() < 0.3 else "") for ch in out)


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        "",
        "7",
        "42",
        "  12 ",
        "1 2 3",
        "100 200",
        "1+2",
        "12+(3*45)",
        "(1)",
        "-5",
        "3 * 4",
        "8/2-1",
        "007",
    ]
    search += [_expr(rng, rng.randint(2, 4)) for _ in range(3)]
    holdout = ["  ", "+", "((9))", "10 - 20", "1", "99999"]
    holdout += [_expr(rng, rng.randint(1, 6)) for _ in range(70)]
    return [([t], {}) for t in search + holdout]
