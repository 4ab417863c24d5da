"""Root-to-leaf sums in binary trees stored as level-order lists."""


def has_path_sum(tree, target):
    """Whether some root-to-leaf path of `tree` sums to `target`.

    The tree is a list in level order: the children of tree[i] are tree[2*i + 1] and
    tree[2*i + 2]; None, or an index past the end, is no node. An empty tree has no path.
    """
    return _has_path(tree, 0, target)


def _has_path(tree, i, target):
    if i >= len(tree) or tree[i] is None:
        return False
    children = [c for c in (2 * i + 1, 2 * i + 2) if c < len(tree) - 1 and tree[c] is not None]
    if not children:
        return tree[i] == target
    return any(_has_path(tree, c, target) for c in children)
