"""Reference for spiral_order: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def _rotate_left(matrix):
    """The matrix turned a quarter counter-clockwise: its last column becomes its first row."""
    return [list(row) for row in zip(*matrix, strict=True)][::-1]


def spiral_order(matrix):
    """The entries of a rectangular matrix (a list of rows) in clockwise spiral order from
    the top-left corner, spiralling inwards."""
    if not matrix or not matrix[0]:
        return []
    return matrix[0] + spiral_order(_rotate_left(matrix[1:]))


def _matrix(rows, cols, start=1):
    return [[start + r * cols + c for c in range(cols)] for r in range(rows)]


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [],
        [[1, 2], [3, 4]],
        [[]],
        [[7]],
        [[1, 2, 3]],
        _matrix(3, 3),
        _matrix(70, 70),
        _matrix(2, 5),
    ]
    holdout = [[[1], [2], [3]], _matrix(30, 20), _matrix(1, 9)]
    for _ in range(80):
        rows, cols = rng.randint(1, 7), rng.randint(1, 7)
        holdout.append(_matrix(rows, cols, rng.randint(0, 50)))
    return [([matrix], {}) for matrix in search + holdout]
