"""The `forbid` constraint: names, modules and calls a variant may not introduce.

Checked on the syntax tree (stdlib `ast`, a fraction of libcst's parse time) before a variant
runs, so a forbidden variant never reaches the sandbox: it gets status `denied`. The sandbox
still contains whatever slips through; this check keeps the search from wandering towards
what the task's owner ruled out, and says so in the record.

Only what a variant *introduces* counts: a name the seed already uses (the seed may `open` a
file) is allowed as often as the seed uses it, no more. Counting, rather than asking "does
the seed use it at all", catches an operator copying the seed's one `open` call elsewhere.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterator

from sandbox import Evaluation, ProgramSource, Status


def _dotted(node: ast.expr) -> str | None:
    """`os.path.join` for the attribute chain, or None when the chain starts elsewhere."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _within(name: str, forbidden: str) -> bool:
    """`os.path` is within `os`; `osx` is not."""
    return name == forbidden or name.startswith(forbidden + ".")


class Forbidden:
    """Counts the uses of forbidden names in a source, against the seed's counts."""

    def __init__(self, names: tuple[str, ...], seed_source: ProgramSource) -> None:
        self.names = tuple(dict.fromkeys(names))
        self._seed = self.uses(seed_source) if self.names else Counter[str]()

    def uses(self, source: ProgramSource) -> Counter[str]:
        """How many times each forbidden name occurs, in all of a program's files; nothing
        for a file that does not parse (the sandbox then reports it as invalid, which is
        the truer status)."""
        if not isinstance(source, str):
            return sum((self.uses(text) for text in source.values()), Counter[str]())
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            return Counter()
        return Counter(hit for node in ast.walk(tree) for hit in self._hits(node))

    def _hits(self, node: ast.AST) -> Iterator[str]:
        for forbidden in self.names:
            if self._matches(node, forbidden):
                yield forbidden

    def _matches(self, node: ast.AST, forbidden: str) -> bool:
        if isinstance(node, ast.Import):
            return any(_within(alias.name, forbidden) for alias in node.names)
        if isinstance(node, ast.ImportFrom):
            if node.level or node.module is None:
                return False  # relative imports stay inside the user's own package
            if _within(node.module, forbidden):
                return True
            return any(
                a.name == forbidden or _within(f"{node.module}.{a.name}", forbidden)
                for a in node.names
            )
        if isinstance(node, ast.Name):
            return node.id == forbidden
        if isinstance(node, ast.Attribute):
            # `x.system` when `system` is forbidden; `os.system` when `os.system` is.
            return node.attr == forbidden or _dotted(node) == forbidden
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            # getattr(__builtins__, "eval"), importlib.import_module("os"): the string is
            # how the name gets in without being written as a name.
            return node.value == forbidden
        return False

    def check(self, source: ProgramSource) -> Evaluation | None:
        """A `denied` Evaluation naming what the variant introduces, or None if it may run."""
        if not self.names:
            return None
        introduced = self.uses(source) - self._seed
        if not introduced:
            return None
        names = ", ".join(sorted(introduced))
        return Evaluation(status=Status.DENIED, message=f"introduces forbidden {names}")
