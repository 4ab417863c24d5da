"""Flip a boolean constant: `True` -> `False` and back. The wrong-flag bug."""

from __future__ import annotations

import libcst as cst

from evolve.operators.base import Operator, Result
from evolve.operators.context import Context
from evolve.program.patch import Payload

_OTHER = {"True": "False", "False": "True"}


class BooleanConstant(Operator):
    name = "boolean-constant"
    node_types = (cst.Name,)

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if not isinstance(node, cst.Name) or node.value not in _OTHER or not context.is_load:
            return []
        return [_OTHER[node.value]]

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if not isinstance(node, cst.Name) or _OTHER.get(node.value) != payload:
            return None
        return node.with_changes(value=payload)

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        assert isinstance(node, cst.Name)
        return f"{node.value} -> {payload}"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def has(xs, t):\n    for x in xs:\n        if x == t:\n            return False\n"
                "    return False\n",
                "def has(xs, t):\n    for x in xs:\n        if x == t:\n            return True\n"
                "    return False\n",
            ),
            (
                "def sort(xs):\n    return sorted(xs, reverse=True)\n",
                "def sort(xs):\n    return sorted(xs, reverse=False)\n",
            ),
        ]
