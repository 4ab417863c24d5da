"""Trade None for the falsy constant meant, and back: `best = None` -> `best = 0`,
`return ""` -> `return None`. The wrong-sentinel bug."""

from __future__ import annotations

import libcst as cst

from evolve.operators.base import Operator, Result
from evolve.operators.context import Context
from evolve.program.patch import Payload

# What None is most often mistaken for. Not offered beside `is`, where a literal compares by
# identity and draws a SyntaxWarning.
_FOR_NONE = ("0", "False", '""', "[]")
_NONE = "None"


def _empty(node: cst.CSTNode) -> bool:
    """A falsy constant that None may have been meant for: False, "", [], {}, ()."""
    if isinstance(node, cst.Name):
        return node.value == "False"
    if isinstance(node, cst.SimpleString):
        return node.value in ('""', "''")
    if isinstance(node, cst.List | cst.Tuple):
        return not node.elements
    if isinstance(node, cst.Dict):
        return not node.elements
    return False


class NoneConstant(Operator):
    name = "none-constant"
    node_types = (cst.Name, cst.SimpleString, cst.List, cst.Tuple, cst.Dict)
    keeps_children = False

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if isinstance(node, cst.Name) and not context.is_load:
            return []
        if isinstance(node, cst.Name) and node.value == _NONE:
            beside_is = id(node) in context.seed.facts.is_operands
            return [] if beside_is else list(_FOR_NONE)
        return [_NONE] if _empty(node) else []

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if not isinstance(payload, str) or not isinstance(node, cst.BaseExpression):
            return None
        is_none = isinstance(node, cst.Name) and node.value == _NONE
        if not ((is_none and payload in _FOR_NONE) or (payload == _NONE and _empty(node))):
            return None
        value = context.seed.expression(payload)
        if value is None:
            return None
        # A tuple's parentheses are its own; any others stay around the replacement.
        kept = () if isinstance(node, cst.Tuple) else node.lpar
        return value.with_changes(lpar=kept, rpar=() if not kept else node.rpar)

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        return f"{context.seed.code(node)} -> {payload}"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def total(xs):\n    t = None\n    for x in xs:\n        t += x\n    return t\n",
                "def total(xs):\n    t = 0\n    for x in xs:\n        t += x\n    return t\n",
            ),
            (
                "def name(d):\n    return d.get('name', '')\n",
                "def name(d):\n    return d.get('name', None)\n",
            ),
        ]
