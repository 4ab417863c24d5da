"""Reference for has_path_sum: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random

SEARCH_CASES = 8


def has_path_sum(tree, target):
    """Whether some root-to-leaf path of `tree` sums to `target`.

    The tree is a list in level order: the children of tree[i] are tree[2*i + 1] and
    tree[2*i + 2]; None, or an index past the end, is no node. An empty tree has no path.
    """
    return _has_path(tree, 0, target)


def _has_path(tree, i, target):
    if i >= len(tree) or tree[i] is None:
        return False
    children = [c for c in (2 * i + 1, 2 * i + 2) if c < len(tree) and tree[c] is not None]
    if not children:
        return tree[i] == target
    return any(_has_path(tree, c, target - tree[i]) for c in children)


def _path_sums(tree, i, acc, out):
    if i >= len(tree) or tree[i] is None:
        return
    kids = [c for c in (2 * i + 1, 2 * i + 2) if c < len(tree) and tree[c] is not None]
    if not kids:
        out.append(acc + tree[i])
    for c in kids:
        _path_sums(tree, c, acc + tree[i], out)


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    search = [
        [[], 0],
        [[1, 2, 3], 4],
        [[5], 5],
        [[10, 5, -2, 3], 18],
        [[5], 4],
        [[1, 2, None], 2],
        [[1, 2, 3], 3],
        [[10, 5, -2, 3], 8],
    ]
    holdout = [[[None, 1, 2], 1], [[0, 0, 0], 0], [[4, None, 4], 4]]
    for _ in range(80):
        tree = [rng.randint(-5, 9)]
        for _ in range(rng.randint(0, 9)):
            tree.append(None if rng.random() < 0.25 else rng.randint(-5, 9))
        sums = []
        _path_sums(tree, 0, 0, sums)
        target = rng.choice(sums) if sums and rng.random() < 0.5 else rng.randint(-5, 25)
        holdout.append([tree, target])
    return [(args, {}) for args in search + holdout]
