"""Reference for tree_depth: the correct program and the inputs its cases are made from."""

from __future__ import annotations

import random


def tree_depth(tree):
    """Number of levels of a tree: 0 for None, 1 for a lone node.

    A node is a dict {"value": ..., "children": [node, ...]}; "children" may be missing or
    empty for a leaf.
    """
    if tree is None:
        return 0
    children = tree.get("children", [])
    if not children:
        return 1
    return 1 + max(tree_depth(child) for child in children)


def _tree(rng, depth):
    node = {"value": rng.randint(0, 9)}
    if depth > 0 and rng.random() < 0.85:
        node["children"] = [
            _tree(rng, depth - 1 - (rng.random() < 0.4)) for _ in range(rng.randint(1, 3))
        ]
    elif rng.random() < 0.3:
        node["children"] = []
    return node


def _chain(n):
    node = {"value": n}
    for v in range(n - 1, 0, -1):
        node = {"value": v, "children": [node]}
    return node


def inputs(rng: random.Random) -> list[tuple[list, dict]]:
    leaf = {"value": 1}
    search = [
        None,
        leaf,
        {"value": 2, "children": []},
        _chain(3),
        _chain(6),
        {"value": 1, "children": [leaf, leaf]},
        {"value": 1, "children": [leaf, _chain(3)]},
        {"value": 1, "children": [_chain(4), leaf, _chain(2)]},
        {"value": 0, "children": [{"value": 1, "children": [leaf, _chain(3)]}, _chain(2)]},
    ]
    search += [_tree(rng, rng.randint(2, 5)) for _ in range(7)]
    holdout = [_chain(1), _chain(10), {"value": 5, "children": [_chain(7), _chain(1)]}]
    holdout += [_tree(rng, rng.randint(1, 7)) for _ in range(70)]
    return [([t], {}) for t in search + holdout]
