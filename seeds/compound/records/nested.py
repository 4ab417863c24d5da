"""Finding values in nested dictionaries."""


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
            found = _search(value, target, path)
            return found
    return None
