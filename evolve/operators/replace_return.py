"""Return something else: the wrong-return bug.

Candidates are common values (None, 0, True, False), the function's parameters, and short
expressions found in the same function (its names, constants, other return values and
sub-expressions), all as source text, so the payload reads as the code it puts in.
"""

from __future__ import annotations

import libcst as cst

from evolve.operators.base import Operator, Result
from evolve.operators.context import Context
from evolve.program.patch import Payload


class ReplaceReturn(Operator):
    name = "replace-return"
    node_types = (cst.Return,)
    keeps_children = False

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if not isinstance(node, cst.Return):
            return []
        current = None if node.value is None else context.seed.code(node.value)
        return [text for text in context.scope.expressions if text != current]

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if not isinstance(node, cst.Return) or not isinstance(payload, str):
            return None
        value = context.seed.expression(payload)
        if value is None:
            return None
        if node.value is not None and context.seed.code(node.value) == payload:
            return None
        if node.value is None:
            # A bare `return` may hold no whitespace before where the value now goes.
            return node.with_changes(value=value, whitespace_after_return=cst.SimpleWhitespace(" "))
        return node.with_changes(value=value)

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        assert isinstance(node, cst.Return)
        old = "return" if node.value is None else f"return {context.seed.code(node.value)}"
        return f"{old} -> return {payload}"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def largest(xs):\n    best = xs[0]\n    for x in xs:\n        if x > best:\n"
                "            best = x\n    return x\n",
                "def largest(xs):\n    best = xs[0]\n    for x in xs:\n        if x > best:\n"
                "            best = x\n    return best\n",
            ),
            (
                "def find(xs, t):\n    for i, x in enumerate(xs):\n        if x == t:\n"
                "            return\n    return -1\n",
                "def find(xs, t):\n    for i, x in enumerate(xs):\n        if x == t:\n"
                "            return i\n    return -1\n",
            ),
            (
                "def tail(xs):\n    if not xs:\n        return xs\n    return xs[1:]\n",
                "def tail(xs):\n    if not xs:\n        return None\n    return xs[1:]\n",
            ),
        ]
