"""Insert or remove `not`: `if x in seen:` -> `if not x in seen:`, `return not ok` -> `return ok`.

The inverted-condition bug, on if and while tests, conditional expressions (`max(xs) if not
w < 0 else min(xs)`), comprehension filters (`[c for c in s if not c.isalnum()]`) and returns
of boolean expressions.
"""

from __future__ import annotations

import libcst as cst

from evolve.operators.base import Operator, Result
from evolve.operators.context import Context
from evolve.operators.expressions import negated, spaced, with_test
from evolve.program.patch import Payload

# Calls whose result is a truth value, so that returning its negation is a plausible fix.
_PREDICATES = frozenset({"any", "all", "isinstance", "issubclass", "callable", "hasattr"})


def is_boolean(value: cst.BaseExpression | None) -> bool:
    if isinstance(value, cst.Comparison | cst.BooleanOperation):
        return True
    if isinstance(value, cst.UnaryOperation):
        return isinstance(value.operator, cst.Not)
    if isinstance(value, cst.Call):
        func = value.func
        name = func.value if isinstance(func, cst.Name) else None
        if isinstance(func, cst.Attribute):
            name = func.attr.value
        return name is not None and (name in _PREDICATES or name.startswith(("is_", "has_")))
    return False


def _fits(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.If | cst.While | cst.IfExp | cst.CompIf) or (
        isinstance(node, cst.Return) and is_boolean(node.value)
    )


class NegateCondition(Operator):
    name = "negate-condition"
    node_types = (cst.If, cst.While, cst.IfExp, cst.CompIf, cst.Return)

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        return [None] if _fits(node) else []

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if payload is not None or not _fits(node):
            return None
        if isinstance(node, cst.If | cst.While):
            return with_test(node, negated(node.test))
        if isinstance(node, cst.CompIf):
            before = node.whitespace_before_test
            if isinstance(before, cst.SimpleWhitespace):
                before = spaced(before)
            return node.with_changes(test=negated(node.test), whitespace_before_test=before)
        if isinstance(node, cst.IfExp):
            gap = node.whitespace_after_if
            spacing = spaced(gap) if isinstance(gap, cst.SimpleWhitespace) else gap
            return node.with_changes(test=negated(node.test), whitespace_after_if=spacing)
        assert isinstance(node, cst.Return) and node.value is not None
        after = node.whitespace_after_return
        return node.with_changes(
            value=negated(node.value),
            whitespace_after_return=spaced(after)
            if isinstance(after, cst.SimpleWhitespace)
            else after,
        )

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        value = node.value if isinstance(node, cst.Return) else getattr(node, "test", None)
        if not isinstance(value, cst.BaseExpression):
            return super().describe(node, payload, context)
        return f"{context.seed.code(value)} -> {context.seed.code(negated(value))}"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def fresh(xs):\n    out = []\n    for x in xs:\n        if x in out:\n"
                "            out.append(x)\n    return out\n",
                "def fresh(xs):\n    out = []\n    for x in xs:\n        if not x in out:\n"
                "            out.append(x)\n    return out\n",
            ),
            (
                "def empty(xs):\n    return not (xs and len(xs))\n",
                "def empty(xs):\n    return (xs and len(xs))\n",
            ),
            (
                "def valid(a, b):\n    return a < b or b < 0\n",
                "def valid(a, b):\n    return not (a < b or b < 0)\n",
            ),
            (
                "def kept(s):\n    return [c for c in s if not c.isalnum()]\n",
                "def kept(s):\n    return [c for c in s if c.isalnum()]\n",
            ),
            (
                "def pick(xs, w):\n    return max(xs) if w < 0 else min(xs)\n",
                "def pick(xs, w):\n    return max(xs) if not w < 0 else min(xs)\n",
            ),
            (
                "def go(x):\n    while(x):\n        x -= 1\n",
                "def go(x):\n    while not (x):\n        x -= 1\n",
            ),
        ]
