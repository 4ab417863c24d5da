"""Measuring trees stored as nested dicts."""


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
    return 1 + min(tree_depth(child) for child in children)
