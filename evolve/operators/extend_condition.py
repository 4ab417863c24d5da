"""Add a conjunct or disjunct to a condition: `if x > 0:` -> `if i < n and x > 0:`.

The missing-condition bug: a guard exists but lacks a clause. The clause is a condition found
in the enclosing function, as for guard-statement.
"""

from __future__ import annotations

import libcst as cst

from evolve.operators.base import Operator, Result
from evolve.operators.context import Context
from evolve.operators.expressions import joined, with_test
from evolve.program.patch import Payload

CONNECTORS = ("and", "or")


def extended(node: cst.If | cst.While, connector: str, clause: cst.BaseExpression) -> Result:
    """`node` with its test become `clause <connector> test`, or just `clause` for "replace"."""
    test = clause if connector == "replace" else joined(clause, connector, node.test)
    return with_test(node, test)


def parse(payload: Payload, connectors: tuple[str, ...]) -> tuple[str, str] | None:
    if not isinstance(payload, tuple) or len(payload) != 2:
        return None
    connector, text = payload
    if connector not in connectors or not isinstance(text, str):
        return None
    return str(connector), text


class ExtendCondition(Operator):
    """Payload [connector, condition]; the new clause goes first, as guards usually do."""

    name = "extend-condition"
    node_types = (cst.If, cst.While)

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if not isinstance(node, cst.If | cst.While):
            return []
        current = context.seed.code(node.test)
        return [
            (connector, condition)
            for condition in context.scope.conditions
            if condition != current
            for connector in CONNECTORS
        ]

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        parsed = parse(payload, CONNECTORS)
        if not isinstance(node, cst.If | cst.While) or parsed is None:
            return None
        connector, text = parsed
        if text not in context.scope.conditions:
            return None
        clause = context.seed.expression(text)
        return None if clause is None else extended(node, connector, clause)

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        parsed = parse(payload, CONNECTORS)
        if parsed is None or not isinstance(node, cst.If | cst.While):
            return super().describe(node, payload, context)
        connector, text = parsed
        return f"{context.seed.code(node.test)} -> {text} {connector} ..."

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def scan(xs, t):\n    i = 0\n    while xs[i] != t:\n        i += 1\n"
                "        if i >= len(xs):\n            return -1\n    return i\n",
                "def scan(xs, t):\n    i = 0\n    while i >= len(xs) and xs[i] != t:\n"
                "        i += 1\n        if i >= len(xs):\n            return -1\n    return i\n",
            ),
            (
                "def pick(a, b):\n    if(a > b):\n        return a\n    return b\n",
                "def pick(a, b):\n    if b or (a > b):\n        return a\n    return b\n",
            ),
        ]
