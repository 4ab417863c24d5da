"""Reference for luhn: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

DIGITS = "0123456789"


def luhn_valid(number):
    digits = []
    for ch in number:
        if ch in DIGITS:
            digits.append(int(ch))
        elif ch != " ":
            return False
    if len(digits) < 2:
        return False
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def _card(rng: random.Random, length: int, valid: bool) -> str:
    body = "".join(rng.choice(DIGITS) for _ in range(length - 1))
    for check in DIGITS:
        if luhn_valid(body + check) == valid:
            return body + check
    raise AssertionError("unreachable: exactly one check digit is valid")


def _grouped(number: str) -> str:
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [""],
        ["0"],
        ["00"],
        ["18"],
        ["59"],
        ["4111 1111 1111 1111"],
        ["5500 0000 0000 0004"],
        ["1234-5678"],
        ["79927398713"],
        ["79927398710"],
        ["8763"],
        ["2323 2005 7766 3554"],
    ]
    search += [[_card(rng, 16, valid=True)] for _ in range(2)]
    search += [[_grouped(_card(rng, 16, valid=False))] for _ in range(2)]
    holdout = [
        [" "],
        ["0 0"],
        ["091"],
        ["4111111111111112"],
        ["378282246310005"],
        ["6011 1111 1111 1117"],
        ["4012x88888881881"],
        ["  4 2 "],
    ]
    for _ in range(60):
        number = _card(rng, rng.randint(2, 19), valid=rng.random() < 0.6)
        holdout.append([_grouped(number) if rng.random() < 0.4 else number])
    return [(args, {}) for args in search + holdout]
