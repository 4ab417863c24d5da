"""Reference for total_score: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random


def total_score(records):
    """Sum of the "score" fields of records; a score that is None or missing counts as 0."""
    total = 0
    for record in records:
        score = record.get("score")
        if score is not None:
            total += score
    return total


NAMES = ["ann", "bob", "cy", "dee", "eve"]


def _records(rng, n, gaps):
    out = []
    for _ in range(n):
        record = {"name": rng.choice(NAMES)}
        roll = rng.random()
        if gaps and roll < 0.2:
            record["score"] = None
        elif not (gaps and roll < 0.3):
            record["score"] = rng.randint(-5, 100)
        out.append(record)
    return out


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [],
        [{"score": 5}],
        [{"score": 5}, {"score": 7}],
        [{"name": "a", "score": 0}],
        [{"score": None}],
        [{"name": "a"}],
        [{"score": 3}, {"score": None}],
        [{"score": None}, {"score": 4}, {"name": "b"}],
        [{"score": -2}, {"score": 2}],
    ]
    search += [_records(rng, rng.randint(2, 6), gaps=False) for _ in range(3)]
    search += [_records(rng, rng.randint(3, 6), gaps=True) for _ in range(4)]
    holdout = [[{"score": 1}] * 3, [{"name": "z", "score": None}] * 2]
    holdout += [_records(rng, rng.randint(0, 10), gaps=rng.random() < 0.7) for _ in range(70)]
    return [([r], {}) for r in search + holdout]
