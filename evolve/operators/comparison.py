"""Swap a comparison for another of its family: `i < n` -> `i <= n`, `is` -> `is not`."""

from __future__ import annotations

import libcst as cst

from evolve.operators.base import Operator, Result, retoken, symbol_table
from evolve.operators.context import Context
from evolve.program.patch import Payload

_SYMBOLS: dict[str, type[cst.CSTNode]] = {
    "<": cst.LessThan,
    "<=": cst.LessThanEqual,
    ">": cst.GreaterThan,
    ">=": cst.GreaterThanEqual,
    "==": cst.Equal,
    "!=": cst.NotEqual,
    "is": cst.Is,
    "is not": cst.IsNot,
    "in": cst.In,
    "not in": cst.NotIn,
}
_TABLE = symbol_table(
    _SYMBOLS, (("<", "<=", ">", ">=", "==", "!="), ("is", "is not"), ("in", "not in"))
)


class Comparison(Operator):
    """Works on one link of a chain, so `a < b <= c` offers both links separately."""

    name = "comparison"
    node_types = (cst.ComparisonTarget,)

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if not isinstance(node, cst.ComparisonTarget):
            return []
        return list(_TABLE[type(node.operator)][1])

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if not isinstance(node, cst.ComparisonTarget):
            return None
        if not isinstance(payload, str) or payload not in _TABLE[type(node.operator)][1]:
            return None
        operator = retoken(node.operator, _SYMBOLS[payload])
        if isinstance(operator, cst.IsNot | cst.NotIn) and not isinstance(
            node.operator, cst.IsNot | cst.NotIn
        ):
            # The two-word tokens need a space inside, which the old token did not have.
            operator = operator.with_changes(whitespace_between=cst.SimpleWhitespace(" "))
        return node.with_changes(operator=operator)

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        assert isinstance(node, cst.ComparisonTarget)
        return f"{_TABLE[type(node.operator)][0]} -> {payload}"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def small(x, n):\n    return x < n\n",
                "def small(x, n):\n    return x <= n\n",
            ),
            (
                "def between(a, x, b):\n    return a <= x < b\n",
                "def between(a, x, b):\n    return a <= x <= b\n",
            ),
            (
                "def missing(x):\n    return x is None\n",
                "def missing(x):\n    return x is not None\n",
            ),
            (
                "def absent(k, d):\n    return k not in d\n",
                "def absent(k, d):\n    return k in d\n",
            ),
        ]
