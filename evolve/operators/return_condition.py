"""Return a condition the function already tests instead of a constant truth value.

The predicate that answers too soon or too late: `return True` at the end of a loop where
`return i == len(small)` was meant, `return False` where `return count == 1` was. The
function usually tests the very quantity its answer depends on somewhere else (a loop or an
`if` condition), often with another comparison: candidates are the function's own
conditions, each comparison of them also with every other comparison operator, and the
negation of each condition that is not a comparison.
"""

from __future__ import annotations

import libcst as cst

from evolve.operators.base import TEMPLATE_WEIGHT, Operator, Result
from evolve.operators.context import Context
from evolve.operators.expressions import negated, retoken
from evolve.program.patch import Payload

_TRUTHS = frozenset({"True", "False"})
_COMPARISONS: tuple[type[cst.CSTNode], ...] = (
    cst.Equal,
    cst.NotEqual,
    cst.LessThan,
    cst.LessThanEqual,
    cst.GreaterThan,
    cst.GreaterThanEqual,
)
MAX_PAYLOADS = 30


def _returns_truth(node: cst.CSTNode) -> bool:
    return (
        isinstance(node, cst.Return)
        and isinstance(node.value, cst.Name)
        and node.value.value in _TRUTHS
    )


def _variants(condition: cst.BaseExpression, code: str, module: cst.Module) -> list[str]:
    """The condition itself, and its other comparisons or its negation."""
    if (
        isinstance(condition, cst.Comparison)
        and len(condition.comparisons) == 1
        and isinstance(condition.comparisons[0].operator, _COMPARISONS)
    ):
        target = condition.comparisons[0]
        found = []
        for kind in _COMPARISONS:
            operator = retoken(target.operator, kind)
            changed = condition.with_changes(comparisons=[target.with_changes(operator=operator)])
            found.append(module.code_for_node(changed.with_changes(lpar=[], rpar=[])))
        return found
    return [code, module.code_for_node(negated(condition))]


class ReturnCondition(Operator):
    """Payload: the returned condition's source text."""

    name = "return-condition"
    node_types = (cst.Return,)
    keeps_children = False
    weight = TEMPLATE_WEIGHT
    template = True

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if not _returns_truth(node):
            return []
        found: list[Payload] = []
        for code in context.scope.conditions:
            condition = context.seed.expression(code)
            # A bare name's truth is return-truth's and replace-return's to offer.
            if condition is not None and not isinstance(condition, cst.Name):
                found += _variants(condition, code, context.seed.module)
        return list(dict.fromkeys(found))[:MAX_PAYLOADS]

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if not _returns_truth(node) or not isinstance(payload, str):
            return None
        value = context.seed.expression(payload)
        if value is None:
            return None
        assert isinstance(node, cst.Return)
        return node.with_changes(value=value)

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        assert isinstance(node, cst.Return)
        return f"return {context.seed.code(node.value or node)} -> return {payload}"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def all_seen(wanted, text):\n    k = 0\n    for ch in text:\n"
                "        if k < len(wanted) and ch == wanted[k]:\n            k += 1\n"
                "    return True\n",
                "def all_seen(wanted, text):\n    k = 0\n    for ch in text:\n"
                "        if k < len(wanted) and ch == wanted[k]:\n            k += 1\n"
                "    return k == len(wanted)\n",
            ),
            (
                "def single(xs, x):\n    n = 0\n    for y in xs:\n        if y == x:\n"
                "            n += 1\n            if n > 1:\n                return False\n"
                "    return True\n",
                "def single(xs, x):\n    n = 0\n    for y in xs:\n        if y == x:\n"
                "            n += 1\n            if n > 1:\n                return False\n"
                "    return n == 1\n",
            ),
        ]
