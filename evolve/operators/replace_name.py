"""Read a different variable: `total / n` -> `total / count`. The wrong-variable bug."""

from __future__ import annotations

import keyword

import libcst as cst

from evolve.operators.base import Operator, Result
from evolve.operators.context import Context
from evolve.program.patch import Payload

# Constants, not variables; swapping them is a different kind of edit.
_CONSTANTS = frozenset({"True", "False", "None"})


class ReplaceName(Operator):
    """Only names being read: never an assignment target, attribute, keyword or def name.

    Candidates are the names the enclosing function binds (params, assignments, loop targets),
    those of functions around it, and module-level variables; in call position also
    module-level functions, classes and imports, which elsewhere would only add noise.
    """

    name = "replace-name"
    node_types = (cst.Name,)

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if not isinstance(node, cst.Name) or not context.is_load or node.value in _CONSTANTS:
            return []
        names = context.scope.names
        if context.is_callee:
            names = (*names, *context.seed.callables)
        return [name for name in dict.fromkeys(names) if name != node.value]

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if not isinstance(node, cst.Name) or not context.is_load:
            return None
        if not isinstance(payload, str) or not payload.isidentifier() or payload == node.value:
            return None
        if keyword.iskeyword(payload) or keyword.issoftkeyword(payload):
            return None
        return node.with_changes(value=payload)

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        assert isinstance(node, cst.Name)
        return f"{node.value} -> {payload}"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def mean(xs):\n    total = sum(xs)\n    n = len(xs)\n    return total / total\n",
                "def mean(xs):\n    total = sum(xs)\n    n = len(xs)\n    return total / n\n",
            ),
            (
                "LIMIT = 10\n\n\ndef clip(x, low):\n    return min(x, low)\n",
                "LIMIT = 10\n\n\ndef clip(x, low):\n    return min(x, LIMIT)\n",
            ),
            (
                "def double(x):\n    return 2 * x\n\n\ndef quad(x):\n    return quad(quad(x))\n",
                "def double(x):\n    return 2 * x\n\n\ndef quad(x):\n    return double(quad(x))\n",
            ),
            (
                "class Box:\n    def grow(self, k):\n        self.size = k\n        return self\n",
                "class Box:\n    def grow(self, k):\n        self.size = k\n        return k\n",
            ),
        ]
