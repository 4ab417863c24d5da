"""Swap two positional arguments of a call: `pow(e, b)` -> `pow(b, e)`. Argument-order bugs."""

from __future__ import annotations

import libcst as cst

from evolve.operators.base import Operator, Result, index_pair
from evolve.operators.context import Context
from evolve.program.patch import Payload


def _positional(call: cst.Call) -> list[int]:
    return [i for i, arg in enumerate(call.args) if arg.keyword is None and not arg.star]


class SwapArguments(Operator):
    """Payload [i, j], indices into the call's arguments, i < j, both positional."""

    name = "swap-arguments"
    node_types = (cst.Call,)

    def payloads(self, node: cst.CSTNode, context: Context) -> list[Payload]:
        if not isinstance(node, cst.Call):
            return []
        positional = _positional(node)
        return [
            (i, j)
            for a, i in enumerate(positional)
            for j in positional[a + 1 :]
            # Swapping equal arguments changes nothing.
            if not node.args[i].value.deep_equals(node.args[j].value)
        ]

    def apply(self, node: cst.CSTNode, payload: Payload, context: Context) -> Result:
        pair = index_pair(payload)
        if not isinstance(node, cst.Call) or pair is None:
            return None
        i, j = pair
        positional = _positional(node)
        if i not in positional or j not in positional:
            return None
        args = list(node.args)
        if args[i].value.deep_equals(args[j].value):
            return None
        # Only the values move; each slot keeps its comma and whitespace.
        args[i], args[j] = (
            args[i].with_changes(value=node.args[j].value),
            args[j].with_changes(value=node.args[i].value),
        )
        return node.with_changes(args=args)

    def describe(self, node: cst.CSTNode, payload: Payload, context: Context) -> str:
        pair = index_pair(payload)
        if not isinstance(node, cst.Call) or pair is None or pair[1] >= len(node.args):
            return super().describe(node, payload, context)
        i, j = pair
        code = context.seed.code
        return f"swap {code(node.args[i].value)} and {code(node.args[j].value)}"

    @classmethod
    def examples(cls) -> list[tuple[str, str]]:
        return [
            (
                "def power(b, e):\n    return pow(e, b)\n",
                "def power(b, e):\n    return pow(b, e)\n",
            ),
            (
                "def f(a, b, c):\n    return g(a, b, key=c)\n\n\ndef g(*a, **k):\n    pass\n",
                "def f(a, b, c):\n    return g(b, a, key=c)\n\n\ndef g(*a, **k):\n    pass\n",
            ),
            (
                "def f(a, b, c):\n    return max(a,  b, c)\n",
                "def f(a, b, c):\n    return max(c,  b, a)\n",
            ),
        ]
