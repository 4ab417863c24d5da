"""Swap `and` and `or`."""

from __future__ import annotations

import libcst as cst

from evolve.operators.base import Operator, Result, retoken
from evolve.operators.context import Context
from evolve.program.patch import Payload

_SYMBOLS: dict[str, type[cst.CSTNode]] = {"and": cst.And, "or": cst.Or}
_OTHER = {cst.And: "or", cst.Or: "and"}


class BooleanOperator(Operator):
    name = "boolean-operator"
    node_types = (cst.BooleanOperation,)

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if not isinstance(node, cst.BooleanOperation):
            return []
        return [_OTHER[type(node.operator)]]

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if not isinstance(node, cst.BooleanOperation) or payload != _OTHER[type(node.operator)]:
            return None
        return node.with_changes(operator=retoken(node.operator, _SYMBOLS[str(payload)]))

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        return f"{'or' if payload == 'and' else 'and'} -> {payload}"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def valid(x):\n    return x > 0 and x < 10\n",
                "def valid(x):\n    return x > 0 or x < 10\n",
            ),
            (
                "def empty(s):\n    return s is None or (not s)\n",
                "def empty(s):\n    return s is None and (not s)\n",
            ),
        ]
