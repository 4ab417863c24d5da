"""Memoise a pure recursive function: `@functools.cache` on it. The exponential-recursion
speed-up (fib, counting paths, partitions).

The site is the function's own definition and the payload its name. `Program` adds
`import functools` at the top of the module when the module lacks it: the one edit outside
an editable function that any operator makes.
"""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from evolve.operators.analysis import children, parameters
from evolve.operators.base import Operator, Result
from evolve.operators.context import Context
from evolve.program.patch import Payload

_MODULE = "functools"
# What makes a function impure or uncacheable, wherever it appears in the body.
_IMPURE = (cst.Global, cst.Nonlocal, cst.Yield, cst.Await)
_RECEIVERS = frozenset({"self", "cls"})


def _pure_and_recursive(function: cst.FunctionDef) -> bool:
    """Calls itself by name, and by its look changes nothing outside: no global or nonlocal,
    no yield or await, no assignment to an attribute or item, no method call on a parameter
    (`seen.add(x)` mutates the caller's set)."""
    params = set(parameters(function))
    name = function.name.value
    recursive = False

    def visit(node: cst.CSTNode) -> bool:
        nonlocal recursive
        if isinstance(node, _IMPURE):
            return False
        if isinstance(node, cst.Assign | cst.AugAssign | cst.AnnAssign | cst.Del):
            targets = (
                [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            )
            if any(isinstance(t, cst.Attribute | cst.Subscript) for t in targets):
                return False
        if isinstance(node, cst.Call):
            func = node.func
            if isinstance(func, cst.Name) and func.value == name:
                recursive = True
            if (
                isinstance(func, cst.Attribute)
                and isinstance(func.value, cst.Name)
                and func.value.value in params
            ):
                return False
        return all(visit(child) for _, _, child in children(node))

    return visit(function.body) and recursive


def _offered(node: cst.CSTNode, context: Context) -> bool:
    if not isinstance(node, cst.FunctionDef) or node.asynchronous is not None or node.decorators:
        return False
    params = parameters(node)
    if params and params[0] in _RECEIVERS:
        return False  # a method: caching on `self` keeps every instance alive
    # The decorator needs `functools` to mean the module: imported as such, or free to be.
    seed = context.seed
    free = _MODULE not in seed.callables and _MODULE not in context.scope.names
    return (seed.facts.imports_functools or free) and _pure_and_recursive(node)


class Memoise(Operator):
    name = "memoise"
    node_types = (cst.FunctionDef,)
    module_import: ClassVar[str | None] = _MODULE

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if not _offered(node, context):
            return []
        assert isinstance(node, cst.FunctionDef)
        return [node.name.value]

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if not isinstance(node, cst.FunctionDef) or payload != node.name.value:
            return None
        if not _offered(node, context):
            return None
        decorator = cst.Decorator(
            decorator=cst.Attribute(value=cst.Name(_MODULE), attr=cst.Name("cache"))
        )
        return node.with_changes(decorators=[decorator])

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        return f"memoise {payload} with @functools.cache"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                '"""Fibonacci."""\n\n\ndef fib(n):\n    if n < 2:\n        return n\n'
                "    return fib(n - 1) + fib(n - 2)\n",
                '"""Fibonacci."""\n\n\nimport functools\n\n\n@functools.cache\ndef fib(n):\n'
                "    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n",
            ),
            (
                "import functools\n\n\ndef paths(r, c):\n    if r == 0 or c == 0:\n"
                "        return 1\n    return paths(r - 1, c) + paths(r, c - 1)\n",
                "import functools\n\n\n@functools.cache\ndef paths(r, c):\n"
                "    if r == 0 or c == 0:\n"
                "        return 1\n    return paths(r - 1, c) + paths(r, c - 1)\n",
            ),
        ]
