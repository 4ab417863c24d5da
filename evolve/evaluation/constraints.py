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


# What a variant of a pytest task may use without the seed using it: builtins that compute
# and nothing else (no getattr, type, open, eval, vars...), modules of pure computation, and
# methods of the builtin containers and strings. Operators introduce some of these (`sum`,
# `functools.cache`); a person may widen the list per task (`[search] allow`).
SAFE_NAMES = frozenset(
    {
        *("abs", "all", "any", "bool", "dict", "divmod", "enumerate", "filter", "float"),
        *("frozenset", "int", "isinstance", "len", "list", "map", "max", "min", "pow"),
        *("range", "reversed", "round", "set", "sorted", "str", "sum", "tuple", "zip"),
        *("None", "True", "False", "ValueError", "TypeError", "KeyError", "IndexError"),
    }
)
SAFE_MODULES = frozenset(
    {"functools", "itertools", "math", "operator", "heapq", "bisect", "collections"}
)
SAFE_ATTRIBUTES = frozenset(
    {
        *("append", "add", "clear", "copy", "count", "discard", "extend", "get", "index"),
        *("insert", "items", "keys", "pop", "remove", "reverse", "setdefault", "sort"),
        *("update", "values", "join", "split", "strip", "lower", "upper", "startswith"),
        *("endswith", "replace", "find", "cache", "lru_cache"),
    }
)


class Allowed:
    """Only what the seed uses: a variant may introduce no module, free name, attribute,
    dunder method or dunder string that neither the seed nor the safe lists use.

    For pytest suites, where the variant shares its process with the tests that judge it:
    an `__eq__` that is always true, a walk up the frames to the test's expected values, a
    write to the report pipe, all need something the seed does not use (a dunder method,
    `sys`, `f_back`, `os`). A fresh local variable (an operator's hoisted value) binds a
    name and so introduces nothing. Checked on the `ast` before the sandbox, like `forbid`.
    """

    def __init__(self, seed_source: ProgramSource, extra: tuple[str, ...] = ()) -> None:
        seed = _Uses.of(seed_source)
        self.modules = seed.modules | SAFE_MODULES | frozenset(extra)
        self.names = seed.names | SAFE_NAMES | frozenset(extra)
        self.attributes = seed.attributes | SAFE_ATTRIBUTES | frozenset(extra)
        self.dunders = seed.dunders | frozenset(n for n in extra if _dunder(n))

    def introduced(self, source: ProgramSource) -> list[str]:
        """What `source` uses that is allowed neither by the seed nor the lists."""
        uses = _Uses.of(source)
        found = [f"module {m}" for m in sorted(uses.modules - self.modules)]
        found += [f"name {n}" for n in sorted(uses.names - self.names)]
        found += [f"attribute {a}" for a in sorted(uses.attributes - self.attributes)]
        found += [f"dunder {d}" for d in sorted(uses.dunders - self.dunders)]
        return found

    def check(self, source: ProgramSource) -> Evaluation | None:
        """A `denied` Evaluation naming what the variant introduces, or None if it may run."""
        introduced = self.introduced(source)
        if not introduced:
            return None
        shown = ", ".join(introduced[:5])
        return Evaluation(status=Status.DENIED, message=f"introduces {shown} (not in the seed)")


class _Uses:
    """The modules, free names, attributes and dunders a program uses."""

    def __init__(self) -> None:
        self.modules: set[str] = set()
        self.names: set[str] = set()
        self.attributes: set[str] = set()
        self.dunders: set[str] = set()

    @classmethod
    def of(cls, source: ProgramSource) -> _Uses:
        uses = cls()
        texts = [source] if isinstance(source, str) else list(source.values())
        bound: set[str] = set()
        loaded: set[str] = set()
        for text in texts:
            try:
                tree = ast.parse(text)
            except (SyntaxError, ValueError):
                continue  # the sandbox reports it as invalid
            for node in ast.walk(tree):
                uses._visit(node, bound, loaded)
        uses.names |= loaded - bound
        return uses

    def _visit(self, node: ast.AST, bound: set[str], loaded: set[str]) -> None:
        if isinstance(node, ast.Import):
            self.modules |= {alias.name for alias in node.names}
            bound |= {(a.asname or a.name).partition(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                self.modules.add(node.module)
                self.modules |= {f"{node.module}.{alias.name}" for alias in node.names}
            bound |= {alias.asname or alias.name for alias in node.names}
        elif isinstance(node, ast.Name):
            (bound if isinstance(node.ctx, ast.Store | ast.Del) else loaded).add(node.id)
            if _dunder(node.id):
                self.dunders.add(node.id)
        elif isinstance(node, ast.Attribute):
            self.attributes.add(node.attr)
            if _dunder(node.attr):
                self.dunders.add(node.attr)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
            if _dunder(node.name):
                self.dunders.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.alias):
            return
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _dunder(node.value):
            self.dunders.add(node.value)  # getattr(x, "__class__"), type(..., {"__eq__": ...})
        elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and getattr(
            node, "name", None
        ):
            bound.add(str(node.name))


def _dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")
