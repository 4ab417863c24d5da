"""Call a different function: `max(xs)` -> `min(xs)`, `len(xs)` -> `sum(xs)`.

The wrong-function bug. replace-name already offers the program's own functions and the
names in scope; this adds what it leaves out: names called elsewhere in the program (builtins
such as `sorted` or `enumerate`) and the builtins that wrong-function bugs are mostly made of.
"""

from __future__ import annotations

import keyword

import libcst as cst

from evolve.operators.base import Operator, Result
from evolve.operators.context import Context
from evolve.program.patch import Payload

BUILTINS = ("max", "min", "len", "abs", "sorted", "sum", "any", "all", "reversed", "list", "set")


class ReplaceCallee(Operator):
    name = "replace-callee"
    node_types = (cst.Name,)

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if not isinstance(node, cst.Name) or not context.is_callee or not context.is_load:
            return []
        # Leave to replace-name what it offers already, so no edit is twice as likely.
        taken = {node.value, *context.scope.names, *context.seed.callables}
        candidates = (*context.seed.facts.called_names, *BUILTINS)
        return [name for name in dict.fromkeys(candidates) if name not in taken]

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        if not isinstance(node, cst.Name) or not context.is_callee or not isinstance(payload, str):
            return None
        if not payload.isidentifier() or keyword.iskeyword(payload) or payload == node.value:
            return None
        return node.with_changes(value=payload)

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        assert isinstance(node, cst.Name)
        return f"{node.value}(...) -> {payload}(...)"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def largest(xs):\n    return min(xs)\n",
                "def largest(xs):\n    return max(xs)\n",
            ),
            (
                "def ranked(xs):\n    return list(xs)\n\n\n"
                "def top(xs):\n    return sorted(xs)[-1]\n",
                "def ranked(xs):\n    return sorted(xs)\n\n\n"
                "def top(xs):\n    return sorted(xs)[-1]\n",
            ),
        ]
