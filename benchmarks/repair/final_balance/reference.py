"""Reference for final_balance: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random


def final_balance(opening, transactions):
    balance = opening
    for kind, amount in transactions:
        if kind == "deposit":
            balance = balance + amount
        elif kind == "withdrawal":
            if amount <= balance:
                balance = balance - amount
        elif kind == "fee":
            balance = balance - amount
        elif kind == "interest" and balance > 0:
            balance = balance + balance * amount // 100
    return balance


def _transactions(rng: random.Random, count: int, interest: bool) -> list[list]:
    kinds = ["deposit", "withdrawal", "fee", "bonus"] + (["interest"] * 2 if interest else [])
    out = []
    for _ in range(count):
        kind = rng.choice(kinds)
        amount = rng.randint(1, 15) if kind == "interest" else rng.randint(1, 3000)
        out.append([kind, amount])
    return out


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [0, []],
        [1000, [["deposit", 500], ["withdrawal", 200]]],
        [1000, [["interest", 5]]],
        [999, [["interest", 3]]],
        [100, [["withdrawal", 150], ["fee", 30]]],
        [-50, [["interest", 10], ["deposit", 20]]],
        [12345, [["interest", 2], ["withdrawal", 100], ["interest", 1]]],
        [500, [["bonus", 100], ["fee", 600], ["withdrawal", 1]]],
    ]
    search += [
        [rng.randint(0, 5000), _transactions(rng, rng.randint(1, 6), False)] for _ in range(4)
    ]
    search += [
        [rng.randint(1, 5000), _transactions(rng, rng.randint(2, 6), True)] for _ in range(4)
    ]
    holdout = [
        [7, []],
        [0, [["interest", 50]]],
        [300, [["withdrawal", 300], ["interest", 7]]],
        [101, [["interest", 1]]],
        [250, [["fee", 500], ["interest", 10], ["withdrawal", 1]]],
        [1, [["interest", 99], ["interest", 99], ["interest", 99]]],
    ]
    holdout += [
        [rng.randint(-500, 5000), _transactions(rng, rng.randint(0, 8), rng.random() < 0.7)]
        for _ in range(60)
    ]
    return [(args, {}) for args in search + holdout]
