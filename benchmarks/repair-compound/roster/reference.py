"""Reference for roster: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def _turns(people, start):
    """The people in the order they take turns, beginning with `start`."""
    i = people.index(start)
    return people[i:] + people[:i]


def roster(people, start, weeks):
    """Who is on duty in each of `weeks` weeks: people take turns in list order, beginning
    with `start` in week 0 and wrapping round; [] when `start` is not one of them."""
    if start not in people:
        return []
    order = _turns(people, start)
    return [order[week % len(order)] for week in range(weeks)]


NAMES = ["ann", "bob", "cy", "dee", "eve", "fay"]


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [["ann", "bob", "cy"], "ann", 4],
        [["ann", "bob", "cy"], "bob", 4],
        [["zoe"], "zoe", 3],
        [["a", "b", "c", "d"], "d", 5],
        [[], "ann", 2],
        [["x", "y"], "y", 3],
        [["a", "b"], "c", 1],
        [["a", "b", "c", "d"], "c", 0],
    ]
    holdout = [[["ann", "bob"], "bob", 1], [["ann", "bob"], "ann", 7]]
    for _ in range(80):
        people = rng.sample(NAMES, rng.randint(1, 6))
        start = rng.choice(people) if rng.random() < 0.9 else "zed"
        holdout.append([people, start, rng.randint(0, 9)])
    return [(args, {}) for args in search + holdout]
