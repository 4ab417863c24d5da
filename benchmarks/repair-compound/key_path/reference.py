"""Reference for key_path: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def key_path(data, target):
    """The keys leading from `data` (a dict of dicts and plain values) to the first value
    equal to `target`, looking at keys in order and into each sub-dictionary as its key is
    reached; None if no value equals it."""
    return _search(data, target, [])


def _search(node, target, path):
    for key, value in node.items():
        if value == target:
            return [*path, key]
        if isinstance(value, dict):
            found = _search(value, target, [*path, key])
            if found is not None:
                return found
    return None


NAMES = ["a", "b", "c", "db", "host", "port", "x", "y"]


def _nested(rng, depth):
    out = {}
    for key in rng.sample(NAMES, rng.randint(1, 3)):
        if depth < 3 and rng.random() < 0.4:
            out[key] = _nested(rng, depth + 1)
        else:
            out[key] = rng.randint(0, 9)
    return out


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [{}, 1],
        [{"a": {"b": 3}}, 3],
        [{"a": 1, "b": 2}, 2],
        [{"x": {"y": {"z": "hit"}}, "w": 0}, "hit"],
        [{"a": {"b": 1}, "c": 5}, 5],
        [{"k": [1, 2], "m": {"n": 2}}, 2],
        [{"a": {"b": 1}}, 7],
        [{"p": {"q": 4}, "r": {"s": 9}}, 9],
    ]
    holdout = [[{"a": {}}, 0], [{"a": {"b": {"c": 1}}, "d": 1}, 1]]
    for _ in range(80):
        holdout.append([_nested(rng, 0), rng.randint(0, 9)])
    return [(args, {}) for args in search + holdout]
